"""Maps the pure domain classes onto the tables, once per process."""

from __future__ import annotations

from sqlalchemy.orm import registry

from conveyor.domain.absences import Absence
from conveyor.domain.assignment_decisions import AssignmentDecision
from conveyor.domain.assignment_queue import WaitingEntry
from conveyor.domain.call_distribution_runs import CallDistributionRun
from conveyor.domain.call_distributions import CallDistribution
from conveyor.domain.clients import Company, Contact
from conveyor.domain.communication_controls import CommunicationControl, ControlCheck
from conveyor.domain.communications import Communication
from conveyor.domain.crm_items import CrmItem
from conveyor.domain.custom_fields import CustomField
from conveyor.domain.departments import Department
from conveyor.domain.distribution_rules import DistributionRule
from conveyor.domain.employees import Employee, Membership
from conveyor.domain.events import StoredEvent
from conveyor.domain.jobs import Job
from conveyor.domain.lists import ListElement, UniversalList
from conveyor.domain.logins import Login
from conveyor.domain.notifications import Delivery, DeliveryAttempt, Notification
from conveyor.domain.organization import Organization
from conveyor.domain.payments import Payment
from conveyor.domain.pipelines import Pipeline, Stage
from conveyor.domain.robot_runs import RobotRun
from conveyor.domain.robots import Robot
from conveyor.domain.task_dependencies import TaskDependency
from conveyor.domain.task_robot_runs import TaskRobotRun
from conveyor.domain.task_robots import TaskRobot
from conveyor.domain.tasks import Task, TaskMember
from conveyor.domain.tokens import ApiToken
from conveyor.domain.trigger_runs import TriggerRun
from conveyor.domain.triggers import Trigger
from conveyor.domain.webhooks import Webhook
from conveyor.domain.work_schedules import CalendarOverride, Schedule
from conveyor.domain.workdays import Workday, WorkdayEntry
from conveyor.storage.tables import assignment, clients, crm, lists, org, system, tasks
from conveyor.storage.tables.call_distributions import call_distribution_runs, call_distributions
from conveyor.storage.tables.communication_controls import (
    communication_controls,
    control_checks,
)
from conveyor.storage.tables.jobs import jobs
from conveyor.storage.tables.notifications import (
    deliveries,
    delivery_attempts,
    notifications,
    webhooks,
)
from conveyor.storage.tables.payments import payments
from conveyor.storage.tables.robots import robot_runs, robots
from conveyor.storage.tables.task_dependencies import task_dependencies
from conveyor.storage.tables.task_robots import task_robot_runs, task_robots
from conveyor.storage.tables.triggers import trigger_runs, triggers

mapper_registry = registry()

_MAPPINGS = (
    (Schedule, org.schedules),
    (Organization, org.organization),
    (CalendarOverride, org.calendar_overrides),
    (Employee, org.employees),
    (Department, org.departments),
    (Membership, org.memberships),
    (Absence, org.absences),
    (Workday, org.workdays),
    (WorkdayEntry, org.workday_entries),
    (ApiToken, org.api_tokens),
    (Login, org.logins),
    (Pipeline, crm.pipelines),
    (Stage, crm.stages),
    (CustomField, crm.custom_fields),
    (Company, clients.companies),
    (Contact, clients.contacts),
    (CrmItem, crm.crm_items),
    (Communication, clients.communications),
    (UniversalList, lists.lists),
    (ListElement, lists.list_elements),
    (Task, tasks.tasks),
    (TaskMember, tasks.task_members),
    (TaskDependency, task_dependencies),
    (StoredEvent, system.events),
    (DistributionRule, assignment.distribution_rules),
    (AssignmentDecision, assignment.assignment_decisions),
    (CallDistribution, call_distributions),
    (CallDistributionRun, call_distribution_runs),
    (CommunicationControl, communication_controls),
    (ControlCheck, control_checks),
    (WaitingEntry, assignment.assignment_queue),
    (Job, jobs),
    (Notification, notifications),
    (Webhook, webhooks),
    (Delivery, deliveries),
    (DeliveryAttempt, delivery_attempts),
    (Robot, robots),
    (RobotRun, robot_runs),
    (TaskRobot, task_robots),
    (TaskRobotRun, task_robot_runs),
    (Trigger, triggers),
    (TriggerRun, trigger_runs),
    (Payment, payments),
)


def map_domain() -> None:
    """Idempotent: the first call maps every domain class to its table."""
    if mapper_registry.mappers:
        return
    for cls, table in _MAPPINGS:
        if cls is CrmItem:
            # Every write of an item bumps its revision; a write based on a stale read of
            # it fails (``StaleDataError``) instead of silently undoing the other write.
            mapper_registry.map_imperatively(cls, table, version_id_col=table.c.revision)
        else:
            mapper_registry.map_imperatively(cls, table)
