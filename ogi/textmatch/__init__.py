"""Reading what a request for government information asks for, and whether two ask for the same
(Art 44): normalising and cutting the text into words (wording), the names and kinds of record
it gives (names, records), and the matcher (similarity). Shared by archive, whose candidates it
suggests, and handling, which shows a handler the earlier requests most like the one at hand."""
