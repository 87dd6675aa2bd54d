"""Intake use cases: submit, check status, supply a correction, withdraw."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Recording

from ogi.agencies import AgencyDirectory
from ogi.application import ServiceApplication
from ogi.auth import Principal, Role
from ogi.bounds import DateWindow, EdgePolicy
from ogi.clock import Clock, china_date, system_clock
from ogi.errors import (
    AlreadyExists,
    Conflict,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PreconditionFailed,
    TooManyAttempts,
)
from ogi.groupcommit import GroupCommit
from ogi.messaging.inbox import Delivery, Prepared
from ogi.taxonomy import Channel
from services.intake.documents import documents
from services.intake.domain import (
    FINAL_STATES,
    VALUE_TYPES,
    Application,
    ApplicationState,
    InformationDescription,
    Notice,
    NumberAssignment,
    NumberSequence,
    OfflineReceipt,
    SubmitApplication,
    application_id,
    assignment_id,
)
from services.intake.notices import incoming_notice
from services.intake.throttle import GuessThrottle, too_many_guesses
from services.intake.validation import (
    information_violations,
    note_violations,
    offline_receipt_violations,
    submission_violations,
)

UPSTREAM = "handling"
MAX_NUMBERING_ATTEMPTS = 20
_UNKNOWN_NUMBER_DIGEST = hashlib.sha256(b"no such application").hexdigest()


@dataclass(frozen=True)
class _Submission:
    """A valid submission waiting for its number."""

    command: SubmitApplication
    app_id: UUID
    fingerprint: str
    receipt_date: date
    now: datetime
    query_code: str

    @property
    def sequence_key(self) -> tuple[str, int]:
        """The number sequence it takes its number from: its agency's, of its receipt year."""
        return self.command.agency_code, self.receipt_date.year


@dataclass(frozen=True)
class SubmissionReceipt:
    """What the applicant gets back: the number, the secret query code, the receipt date."""

    application_number: str
    query_code: str
    receipt_date: date
    submitted_at: datetime
    replayed: bool
    # Where in intake's notification log the saved submission ends (读一致性, ogi.freshness);
    # 0 for a replayed one, which saved nothing.
    position: int = 0


class Intake(ServiceApplication):
    """The applicant's door (受理窗口)."""

    name = "intake"
    value_types = VALUE_TYPES
    snapshotting_intervals = {NumberSequence: 100}  # noqa: RUF012 - the library's interface

    def __init__(
        self,
        env: dict[str, str],
        agencies: AgencyDirectory,
        *,
        clock: Clock = system_clock,
        throttle: GuessThrottle | None = None,
        edges: EdgePolicy | None = None,
    ) -> None:
        super().__init__(env, clock=clock)
        self.agencies = agencies
        self.edges = edges or EdgePolicy()
        self.throttle = throttle or GuessThrottle()
        # Submissions to one agency take numbers in this process in the order they come, those
        # that arrive while one is being saved together (group commit); replicas still race,
        # and the optimistic retry of _number_and_save settles that.
        self._numbering: GroupCommit[_Submission, SubmissionReceipt] = GroupCommit(
            self._number_together
        )
        # Each sequence as this process last saved it, used for the next group of its agency
        # without reading it again (one committer per agency at a time, ogi.groupcommit). A
        # replica that took a number meanwhile makes that save fail on the sequence's version,
        # and the group is then numbered one by one from a fresh read.
        self._sequences: dict[tuple[str, int], NumberSequence] = {}
        self._query_code_key = hmac.new(
            env["CIPHER_KEY"].encode(), b"ogi intake query code", hashlib.sha256
        ).digest()

    def submit(self, command: SubmitApplication) -> SubmissionReceipt:
        """Validate, number and store an application; a retry of the same request returns the
        first result and stores nothing."""
        now = self.clock()
        today = china_date(now)
        if violations := submission_violations(command, self.agencies, today, self.edges):
            raise InvalidArgument(violations)
        # A retry of a request already saved is not looked for first: its save fails on the
        # application's id (nothing of the group is stored) and _number_and_save answers it.
        app_id = application_id(UUID(command.request_id))
        receipt_date = command.receipt_date or china_date(now)
        query_code = self._query_code(command.request_id)
        submission = _Submission(
            command, app_id, _fingerprint(command), receipt_date, now, query_code
        )
        return self._numbering(submission.sequence_key, submission)

    def _number_together(
        self, submissions: Sequence[_Submission]
    ) -> list[SubmissionReceipt | BaseException]:
        """Submissions to one agency that arrived together (ogi.groupcommit): numbered in
        the order they came and saved in one transaction. If that fails (a replica took a
        number meanwhile, a request id came again), each is saved on its own as before."""
        key = submissions[0].sequence_key
        if len({s.app_id for s in submissions}) == len(submissions):
            sequence = self._sequences.pop(key, None) or self._sequence(*key)
            made = []
            for s in submissions:
                sequence.issue()
                made.append((self._application_for(s, sequence.last_number), s))
            assignments = [NumberAssignment(a.number, a.id) for a, _ in made]
            try:
                recordings = self.save(sequence, *(a for a, _ in made), *assignments)
            except IntegrityError:
                pass
            else:
                self._sequences[key] = sequence
                position = _last_position(recordings)
                return [_receipt(s, a.number, position) for a, s in made]
        outcomes: list[SubmissionReceipt | BaseException] = []
        for s in submissions:
            try:
                outcomes.append(self._number_and_save(s))
            except Exception as error:  # that submission's own outcome
                outcomes.append(error)
        return outcomes

    def _application_for(self, s: _Submission, number: str) -> Application:
        command = s.command
        return Application(  # type: ignore[call-arg] # id: see Application
            id=s.app_id,
            number=number,
            agency_code=command.agency_code,
            channel=cast(Channel, command.channel),  # validated above
            receipt_date=s.receipt_date,
            submitted_at=s.now,
            applicant=command.applicant,
            information=command.information,
            delivery=command.delivery,
            transcribed_by=command.transcribed_by,
            query_code_digest=_digest(s.query_code),
            fingerprint=s.fingerprint,
            notify_by=tuple(c.value for c in command.notify_by),
            purpose=command.purpose,
        )

    def _number_and_save(self, s: _Submission) -> SubmissionReceipt:
        for _ in range(MAX_NUMBERING_ATTEMPTS):
            sequence = self._sequence(*s.sequence_key)
            sequence.issue()
            application = self._application_for(s, sequence.last_number)
            try:
                recordings = self.save(
                    sequence, application, NumberAssignment(application.number, s.app_id)
                )
            except IntegrityError:
                if (existing := self._application(s.app_id)) is not None:
                    return self._replayed(existing, s.command, s.fingerprint)
                continue  # another submission took this number: take the next one
            self._sequences[s.sequence_key] = sequence
            return _receipt(s, application.number, _last_position(recordings))
        raise Conflict(
            "同时提交的申请过多，请重试（too many simultaneous submissions to this agency; retry）"
        )

    def status(self, number: str, query_code: str, requester: str) -> Application:
        """The application, for whoever holds its number and query code."""
        return self._authenticated(number, query_code, requester)

    def document(
        self, number: str, query_code: str, requester: str, document_number: str
    ) -> Notice:
        """A document addressed to the applicant of the application, for whoever holds its
        number and query code (a wrong code is answered as for the status)."""
        application = self._authenticated(number, query_code, requester)
        for notice in documents(application):
            if notice.document_number == document_number.strip():
                return notice
        raise NotFound(
            f"此申请没有致申请人的文书{document_number}"
            f"（no document {document_number!r} addressed to the applicant of {number}）"
        )

    def supply_correction(
        self,
        number: str,
        query_code: str,
        requester: str,
        information: InformationDescription,
        note: str,
    ) -> date:
        """补正 (Art 30): the corrected application is received today."""
        violations = information_violations(information, "information")
        if violations := violations + note_violations(note, "note"):
            raise InvalidArgument(violations)
        application = self._authenticated(number, query_code, requester)
        if application.state is not ApplicationState.CORRECTION_REQUESTED:
            raise PreconditionFailed(
                f"未要求补正"
                f"（no correction was requested; the application is {application.state.value}）"
            )
        receipt_date = self.today()
        application.supply_correction(information, note, receipt_date)
        self._save_change(application)
        return receipt_date

    def record_correction(
        self,
        number: str,
        principal: Principal,
        received: OfflineReceipt,
        information: InformationDescription,
        note: str,
    ) -> date:
        """补正 handed in offline (Art 30), entered by the agency's registrar with the day it was
        received (Art 31): the reply period restarts from that day."""
        application = self._for_registrar(number, principal)
        earliest = application.correction_requested_on() or application.receipt_date
        violations = [
            *self._offline_receipt_violations(received, earliest),
            *information_violations(information, "information"),
            *note_violations(note, "note"),
        ]
        if violations:
            raise InvalidArgument(violations)
        if application.state is not ApplicationState.CORRECTION_REQUESTED:
            raise PreconditionFailed(
                f"未要求补正"
                f"（no correction was requested; the application is {application.state.value}）"
            )
        day = cast(date, received.receipt_date)
        channel = cast(Channel, received.channel)
        application.supply_correction(
            information, note, day, channel.value, principal.subject, received.transcribed_by
        )
        self._save_change(application)
        return day

    def record_withdrawal(
        self, number: str, principal: Principal, received: OfflineReceipt, reason: str
    ) -> date:
        """撤回 handed in on paper or orally, entered by the registrar with the day received."""
        application = self._for_registrar(number, principal)
        violations = [
            *self._offline_receipt_violations(received, application.receipt_date),
            *note_violations(reason, "reason"),
        ]
        if violations:
            raise InvalidArgument(violations)
        self._require_open(application)
        day = cast(date, received.receipt_date)
        channel = cast(Channel, received.channel)
        application.withdraw(reason, day, channel.value, principal.subject, received.transcribed_by)
        self._save_change(application)
        return day

    def _for_registrar(self, number: str, principal: Principal) -> Application:
        """An application of the registrar's own agency, by number (no query code: the
        registrar acts for the agency, and the token says who)."""
        principal.require_role(Role.REGISTRAR)
        assignment = self._get(assignment_id(number))
        application = self._application(assignment.application_id) if assignment else None
        if application is None:
            raise NotFound(f"没有申请 {number}（no application {number}）")
        principal.require_agency(application.agency_code)
        return application

    def _offline_receipt_violations(
        self, received: OfflineReceipt, earliest: date
    ) -> list[FieldViolation]:
        window = self.edges.receipt_dates(self.today())
        window = DateWindow(max(window.earliest, earliest), window.latest)
        return offline_receipt_violations(
            received.channel, received.receipt_date, received.transcribed_by, window, "received."
        )

    def supply_reasons(self, number: str, query_code: str, requester: str, reasons: str) -> date:
        """说明理由 (Art 35): only when the agency asked, once per request."""
        violations = note_violations(reasons, "reasons")
        if not reasons.strip():
            violations.append(FieldViolation("reasons", "请填写理由（required）"))
        if violations:
            raise InvalidArgument(violations)
        application = self._authenticated(number, query_code, requester)
        if application.state is not ApplicationState.REASONS_REQUESTED:
            raise PreconditionFailed(
                f"未要求说明理由"
                f"（no reasons were asked for; the application is {application.state.value}）"
            )
        receipt_date = self.today()
        application.supply_reasons(reasons, receipt_date)
        self._save_change(application)
        return receipt_date

    def suggest_disclosure(
        self, number: str, query_code: str, requester: str, subject: str
    ) -> date:
        """建议主动公开 (Art 44(2)): any applicant, at any stage of the application."""
        violations = note_violations(subject, "subject")
        if not subject.strip():
            violations.append(FieldViolation("subject", "请写明建议主动公开的信息（required）"))
        if violations:
            raise InvalidArgument(violations)
        application = self._authenticated(number, query_code, requester)
        suggested_on = self.today()
        application.suggest_disclosure(subject, suggested_on, application.agency_code)
        self._save_change(application)
        return suggested_on

    def withdraw(self, number: str, query_code: str, requester: str, reason: str) -> date:
        """撤回: recorded with its date and the applicant's reason."""
        if violations := note_violations(reason, "reason"):
            raise InvalidArgument(violations)
        application = self._authenticated(number, query_code, requester)
        self._require_open(application)
        withdrawal_date = self.today()
        application.withdraw(reason, withdrawal_date)
        self._save_change(application)
        return withdrawal_date

    def apply_handling_event(self, subject: str, data: bytes) -> None:
        """Record what handling told the applicant, exactly once."""
        prepared = self._notice_received(subject, data)
        if prepared is None:
            self.pass_over(UPSTREAM)
            return
        self.apply_upstream(UPSTREAM, prepared.position, prepared.effect)

    def apply_handling_events(self, deliveries: Sequence[Delivery]) -> None:
        """A batch of apply_handling_event, in one transaction."""
        self.apply_batch(UPSTREAM, deliveries, self._notice_received)

    def _notice_received(self, subject: str, data: bytes) -> Prepared | None:
        incoming = incoming_notice(subject, data)
        if incoming is None:
            return None

        def effect() -> Application | None:
            application = self._application(incoming.application_id)
            if application is not None:
                application.receive_notice(incoming.notice, incoming.state)
            return application

        return Prepared(incoming.position, effect, (incoming.application_id,))

    def _authenticated(self, number: str, query_code: str, requester: str) -> Application:
        """Refuses a wrong code exactly as an unknown number, and slows down a client that keeps
        guessing (services.intake.throttle): per number and client, and per client; never per
        number alone, so nobody can lock an applicant out."""
        now = self.clock()
        if wait := self.throttle.retry_after(number, requester, now):
            raise TooManyAttempts(too_many_guesses(wait), wait)
        assignment = self._get(assignment_id(number))
        application = self._application(assignment.application_id) if assignment else None
        stored = application.query_code_digest if application else _UNKNOWN_NUMBER_DIGEST
        if not hmac.compare_digest(stored, _digest(query_code)) or application is None:
            self.throttle.record_failure(number, requester, now)
            raise NotFound(
                "没有与此申请编号和查询码相符的申请"
                "（no application with this number and query code）"
            )
        return application

    def _save_change(self, aggregate: Application) -> None:
        try:
            self.save(aggregate)
        except IntegrityError as e:
            raise Conflict(
                "申请同时被修改，请重试（the application changed at the same moment; retry）"
            ) from e

    @staticmethod
    def _require_open(application: Application) -> None:
        if application.state in FINAL_STATES:
            raise PreconditionFailed(
                f"申请已终结，不能再操作（the application is {application.state.value}）"
            )

    def _replayed(
        self, existing: Application, command: SubmitApplication, fingerprint: str
    ) -> SubmissionReceipt:
        if existing.fingerprint != fingerprint:
            raise AlreadyExists(
                "request_id已用于另一份申请"
                "（request_id was already used for a different application）"
            )
        return SubmissionReceipt(
            existing.number,
            self._query_code(command.request_id),
            existing.receipt_date,
            existing.submitted_at,
            True,
        )

    def _sequence(self, agency_code: str, year: int) -> NumberSequence:
        sequence = self._get(NumberSequence.create_id(agency_code, year))
        return sequence if sequence is not None else NumberSequence(agency_code, year)

    def _application(self, app_id: UUID) -> Application | None:
        return cast(Application | None, self._get(app_id))

    def _get(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _query_code(self, request_id: str) -> str:
        """Derived from the request id (never stored) with a server key, so a retry gets the same
        code back while the database holds only its hash. 80 random bits, in groups of four."""
        mac = hmac.new(self._query_code_key, request_id.lower().encode(), hashlib.sha256)
        code = base64.b32encode(mac.digest()).decode()[:16]
        return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def _receipt(s: _Submission, number: str, position: int) -> SubmissionReceipt:
    """What a submission saved under `number`, its transaction ending at `position`, answers."""
    return SubmissionReceipt(number, s.query_code, s.receipt_date, s.now, False, position)


def _last_position(recordings: Sequence[Recording[UUID]]) -> int:
    return max(r.notification.id for r in recordings)


def _digest(query_code: str) -> str:
    """Query codes are random and long, so a fast hash is as good as a slow one here."""
    normalized = query_code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _fingerprint(command: SubmitApplication) -> str:
    """Identifies the content of a submission, to tell a retry from a reused request id."""
    return hashlib.sha256(repr(replace(command, request_id="")).encode()).hexdigest()
