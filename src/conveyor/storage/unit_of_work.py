"""The unit of work: one transaction, its repositories and its outbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from conveyor.domain.employees import Membership
from conveyor.domain.errors import Conflict
from conveyor.domain.events import DomainEvent, StoredEvent
from conveyor.domain.logins import Login
from conveyor.storage.job_wakeups import committed
from conveyor.storage.repositories.absences import AbsenceRepository
from conveyor.storage.repositories.assignment import (
    AssignmentDecisionRepository,
    AssignmentQueueRepository,
    DistributionRuleRepository,
)
from conveyor.storage.repositories.assignment_weights import AssignmentWeightRepository
from conveyor.storage.repositories.base import (
    STALE_MESSAGE,
    Repository,
    conflict_message,
    flush,
)
from conveyor.storage.repositories.call_distributions import (
    CallDistributionRepository,
    CallDistributionRunRepository,
    CallRoundRepository,
)
from conveyor.storage.repositories.clients import ClientRepositories, CommunicationRepository
from conveyor.storage.repositories.communication_controls import (
    CommunicationControlRepository,
    ControlCheckRepository,
)
from conveyor.storage.repositories.crm import CrmItemRepository, PipelineRepositories
from conveyor.storage.repositories.demand_history import DemandHistoryRepository
from conveyor.storage.repositories.events import EventRepository
from conveyor.storage.repositories.jobs import JobRepository
from conveyor.storage.repositories.kanban import KanbanRepository
from conveyor.storage.repositories.lists import ListElementRepository, ListRepository
from conveyor.storage.repositories.notifications import (
    DeliveryRepository,
    NotificationRepository,
    WebhookRepository,
)
from conveyor.storage.repositories.org import (
    DepartmentRepository,
    EmployeeRepository,
    TokenRepository,
)
from conveyor.storage.repositories.organization import OrganizationRepository
from conveyor.storage.repositories.payments import PaymentRepository
from conveyor.storage.repositories.robots import RobotRepository, RobotRunRepository
from conveyor.storage.repositories.schedules import CalendarOverrideRepository, ScheduleRepository
from conveyor.storage.repositories.sign_ins import SignInAttemptRepository
from conveyor.storage.repositories.task_dependencies import TaskDependencyRepository
from conveyor.storage.repositories.task_robots import (
    TaskRobotRepository,
    TaskRobotRunRepository,
)
from conveyor.storage.repositories.tasks import TaskRepository
from conveyor.storage.repositories.triggers import TriggerRepository, TriggerRunRepository
from conveyor.storage.repositories.workdays import TimeClockRepository
from conveyor.storage.repositories.workload import WorkloadRepository
from conveyor.storage.repositories.workload_board import WorkloadBoardRepository


class UnitOfWork:
    """``with uow: ...; uow.commit()`` — nothing is kept unless ``commit`` is called.

    Events emitted during the unit are written to the outbox in the same transaction,
    so a rolled-back change leaves no event behind.
    """

    session: Session

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> Self:
        self.session = self._sessions()
        s = self.session
        self.employees = EmployeeRepository(s)
        self.departments = DepartmentRepository(s)
        self.absences = AbsenceRepository(s)
        self.workdays = TimeClockRepository(s)
        self.schedules = ScheduleRepository(s)
        self.organization = OrganizationRepository(s)
        self.calendar_overrides = CalendarOverrideRepository(s)
        self.memberships = Repository(s, Membership, "membership")
        self.tokens = TokenRepository(s)
        self.logins = Repository(s, Login, "login")
        self.sign_ins = SignInAttemptRepository(s)
        crm = PipelineRepositories(s)
        self.pipelines, self.stages, self.custom_fields = crm.pipelines, crm.stages, crm.fields
        clients = ClientRepositories(s)
        self.companies, self.contacts = clients.companies, clients.contacts
        self.items = CrmItemRepository(s)
        self.kanban = KanbanRepository(s)
        self.communications = CommunicationRepository(s)
        self.tasks = TaskRepository(s)
        self.task_dependencies = TaskDependencyRepository(s)
        self.lists = ListRepository(s)
        self.list_elements = ListElementRepository(s)
        self.events = EventRepository(s)
        self.distribution_rules = DistributionRuleRepository(s)
        self.assignment_decisions = AssignmentDecisionRepository(s)
        self.assignment_queue = AssignmentQueueRepository(s)
        self.assignment_weights = AssignmentWeightRepository(s)
        self.workload = WorkloadRepository(s)
        self.workload_board = WorkloadBoardRepository(s)
        self.demand_history = DemandHistoryRepository(s)
        self.call_distributions = CallDistributionRepository(s)
        self.call_distribution_runs = CallDistributionRunRepository(s)
        self.call_rounds = CallRoundRepository(s)
        self.communication_controls = CommunicationControlRepository(s)
        self.control_checks = ControlCheckRepository(s)
        self.jobs = JobRepository(s)
        self.notifications = NotificationRepository(s)
        self.deliveries = DeliveryRepository(s)
        self.webhooks = WebhookRepository(s)
        self.robots = RobotRepository(s)
        self.robot_runs = RobotRunRepository(s)
        self.task_robots = TaskRobotRepository(s)
        self.task_robot_runs = TaskRobotRunRepository(s)
        self.triggers = TriggerRepository(s)
        self.trigger_runs = TriggerRunRepository(s)
        self.payments = PaymentRepository(s)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed, and unlike rollback() it leaves
        # the objects read in this unit readable (detached, not expired).
        self.session.close()

    def emit(self, *events: DomainEvent | None) -> None:
        """Append events to the outbox of this transaction (``None`` is skipped)."""
        for event in events:
            if event is not None:
                self.session.add(StoredEvent.of(event))

    def flush(self) -> None:
        flush(self.session)

    def commit(self) -> None:
        try:
            self.session.commit()
            committed(self.session)
        except IntegrityError as error:
            self.session.rollback()
            raise Conflict(conflict_message(error)) from None
        except StaleDataError:
            self.session.rollback()
            raise Conflict(STALE_MESSAGE) from None

    def rollback(self) -> None:
        self.session.rollback()

    @contextmanager
    def pinned(self) -> Iterator[UnitOfWork]:
        """A unit of work like this one whose transactions all run on one connection, checked
        out of the pool once for the block: a loop of many short transactions (the job
        worker) saves a checkout and its liveness ping per transaction."""
        with self._sessions.kw["bind"].connect() as connection:
            yield UnitOfWork(sessionmaker(**{**self._sessions.kw, "bind": connection}))
