"""Activities (活动) with sessions, sign-up, QR sign-in and attendance; group work (小组) on top of them."""

from .activities import Activity, ActivityKind, ActivityPhoto, ActivitySession, ActivityStatus, Feedback
from .attendance import (
    Attendance,
    AttendanceSource,
    HoursStatus,
    MatchStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)
from .groups import STAGE_ORDER, GroupKind, GroupMember, GroupStage, GroupStageChange, GroupWork

__all__ = [
    "STAGE_ORDER", "Activity", "ActivityKind", "ActivityPhoto", "ActivitySession", "ActivityStatus", "Attendance",
    "AttendanceSource", "Feedback", "GroupKind", "GroupMember", "GroupStage", "GroupStageChange", "GroupWork",
    "HoursStatus", "MatchStatus", "ParticipantRole", "Registration", "RegistrationStatus",
]
