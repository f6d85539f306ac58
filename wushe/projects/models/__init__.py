"""Funding rounds and projects (项目化运作): call → application → review → publicity → agreement →
tranches, ledger, monitoring, reports → mid-term → final evaluation → closing → archive."""

from .archive import ArchiveDocument, DocumentKind, DocumentVersion, ProjectPhoto
from .execution import (
    Agreement,
    BudgetAdjustment,
    BudgetLine,
    Evaluation,
    EvaluationStage,
    Expense,
    MonitoringVisit,
    PeriodicReport,
    Tranche,
    TrancheCondition,
)
from .projects import Project, ProjectStatus
from .review import (
    BallotToken,
    ExpertReview,
    Objection,
    ResidentVote,
    ReviewerAssignment,
    ReviewStage,
    VoteChallenge,
)
from .rounds import (
    ApplicantType,
    ContentCategory,
    FundingRound,
    OrganizationBan,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)

__all__ = [
    "Agreement", "ApplicantType", "ArchiveDocument", "BallotToken", "BudgetAdjustment", "BudgetLine",
    "ContentCategory", "DocumentKind", "DocumentVersion", "Evaluation", "EvaluationStage", "Expense",
    "ExpertReview", "FundingRound", "MonitoringVisit", "Objection", "OrganizationBan", "PeriodicReport",
    "Project", "ProjectPhoto", "ProjectStatus", "ProjectType", "ResidentVote", "ReviewStage",
    "ReviewerAssignment", "RoundStatus", "RoundType", "ScopeCategory", "Tranche", "TrancheCondition",
    "VoteChallenge",
]
