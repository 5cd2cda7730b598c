"""SQLAlchemy 2 typed models: every row belongs to a tenant; relationships are lazy="raise"."""

from rm_graphql.models.audit import AuditEvent
from rm_graphql.models.base import Base
from rm_graphql.models.engagement import Feedback, Goal, MentoringSession, SkillAssessment
from rm_graphql.models.pairing import MatchingRun, Pair, PairRule, PairTransition
from rm_graphql.models.people import Employee, Topic
from rm_graphql.models.privacy import ErasureTombstone
from rm_graphql.models.programs import Participant, ParticipantTopic, Program
from rm_graphql.models.sync import HrisConnection, SyncRun
from rm_graphql.models.tenancy import Tenant
from rm_graphql.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookDeliveryAttempt,
    WebhookEndpoint,
)

__all__ = [
    "AuditEvent",
    "Base",
    "DeliveryStatus",
    "Employee",
    "ErasureTombstone",
    "Feedback",
    "Goal",
    "HrisConnection",
    "MatchingRun",
    "MentoringSession",
    "Pair",
    "PairRule",
    "PairTransition",
    "Participant",
    "ParticipantTopic",
    "Program",
    "SkillAssessment",
    "SyncRun",
    "Tenant",
    "Topic",
    "WebhookDelivery",
    "WebhookDeliveryAttempt",
    "WebhookEndpoint",
]
