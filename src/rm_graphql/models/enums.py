"""The closed vocabularies of the domain, stored as checked strings."""

from __future__ import annotations

from enum import StrEnum


class EmployeeStatus(StrEnum):
    ACTIVE = "ACTIVE"
    LEAVE = "LEAVE"
    TERMINATED = "TERMINATED"


class TopicCategory(StrEnum):
    DIGITAL_TOOLS = "DIGITAL_TOOLS"
    SOCIAL_MEDIA = "SOCIAL_MEDIA"
    DATA = "DATA"
    AI = "AI"
    DIVERSITY = "DIVERSITY"
    BUSINESS = "BUSINESS"
    LEADERSHIP = "LEADERSHIP"
    OTHER = "OTHER"


class ProgramStatus(StrEnum):
    DRAFT = "DRAFT"
    ENROLLING = "ENROLLING"
    MATCHING = "MATCHING"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    ARCHIVED = "ARCHIVED"


class EnrolmentMode(StrEnum):
    OPEN = "OPEN"
    INVITE_ONLY = "INVITE_ONLY"


class SessionCapPolicy(StrEnum):
    REJECT = "REJECT"
    FLAG = "FLAG"


class ParticipantRole(StrEnum):
    MENTOR = "MENTOR"
    MENTEE = "MENTEE"


class ParticipantStatus(StrEnum):
    INVITED = "INVITED"
    ENROLLED = "ENROLLED"
    WITHDRAWN = "WITHDRAWN"


class TopicDirection(StrEnum):
    TEACH = "TEACH"
    LEARN = "LEARN"
    INTEREST = "INTEREST"


class RunStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class PairStatus(StrEnum):
    PROPOSED = "PROPOSED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    CONCLUDED_IDLE = "CONCLUDED_IDLE"


class PairRuleKind(StrEnum):
    PIN = "PIN"
    FORBID = "FORBID"


class SessionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class Side(StrEnum):
    MENTOR = "MENTOR"
    MENTEE = "MENTEE"


class GoalStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    ACHIEVED = "ACHIEVED"
    ABANDONED = "ABANDONED"


class AssessmentPhase(StrEnum):
    PRE = "PRE"
    POST = "POST"


class ConnectionKind(StrEnum):
    BAMBOOHR = "BAMBOOHR"
    WORKDAY = "WORKDAY"
    SCIM = "SCIM"
    CSV = "CSV"


class SyncMode(StrEnum):
    FULL = "FULL"
    INCREMENTAL = "INCREMENTAL"
