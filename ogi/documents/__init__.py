"""The documents an agency issues (书面告知, domain.md §9): content per kind, numbers, per-agency
settings and templates, rendering to PDF and DOCX, and content-addressed storage."""
