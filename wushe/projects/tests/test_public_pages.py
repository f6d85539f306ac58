"""Public disclosure pages (no login): which rounds and projects are public, the decision list, the
project disclosure, absence of personal data, and query counts."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wushe.people.models import Resident
from wushe.projects.models import Expense, Objection, ProjectStatus, ResidentVote, RoundStatus
from wushe.projects.selectors import public as selectors
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_org, make_project, make_round
from .test_archive_services import LEDGER_TOTAL, SUMS, filled_project

pytestmark = pytest.mark.django_db

P = ProjectStatus
PUBLIC = [P.APPROVED, P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_FAILED, P.FINAL_REVIEW, P.CLOSED, P.ARCHIVED,
          P.TERMINATED]
NOT_PUBLIC = [P.DRAFT, P.SUBMITTED, P.UNDER_REVIEW, P.REJECTED]

# Synthetic personal data that must never reach a public page or the public API.
RESIDENT_NAME, RESIDENT_PHONE, RESIDENT_ID = "钱多多", "13987654321", "11010519491231002X"
WORKER_PHONE, WORKER_ID = "13666667777", "440524188001010014"
CONTACT_PHONE, CONTACT_NAME = "13912345678", "薛阿姨"
LEADER_NAME, LEADER_PHONE = "吴队长", "13555556666"
OBJECTOR_NAME, OBJECTOR_PHONE = "周异议", "13700001111"
PERSON_PAYEE, VOLUNTEER_NAME = "孙小明", "王志愿"
SECRETS = [RESIDENT_NAME, RESIDENT_PHONE, RESIDENT_ID, WORKER_PHONE, WORKER_ID, CONTACT_PHONE, CONTACT_NAME,
           LEADER_NAME, LEADER_PHONE, OBJECTOR_NAME, OBJECTOR_PHONE, PERSON_PAYEE, VOLUNTEER_NAME]
PHONE_RE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def publicity_round(world, **overrides):
    values = {"status": RoundStatus.PUBLICITY, "publicity_starts_on": datetime.date(2026, 2, 1),
              "publicity_ends_on": datetime.date(2026, 2, 7)}
    values.update(overrides)
    return make_round(world, **values)


def round_url(funding_round):
    return reverse("public:round_detail", args=[funding_round.public_id])


def project_url(project):
    return reverse("public:project_detail", args=[project.public_id])


def with_personal_data(world, project):
    """Attach every kind of personal data to the project and the people around it."""
    resident = Resident.objects.create(region=world.community, name=RESIDENT_NAME, id_number=RESIDENT_ID,
                                       phone=RESIDENT_PHONE)
    ResidentVote.objects.create(project=project, resident=resident, community=world.community,
                                method=ResidentVote.Method.ACCOUNT, score=100)
    Objection.objects.create(funding_round=project.funding_round, project=project, filer_name=OBJECTOR_NAME,
                             filer_contact=OBJECTOR_PHONE, content=f"{RESIDENT_NAME}反映探访不到位")
    worker = world.objects["worker"]
    worker.phone, worker.id_number = WORKER_PHONE, WORKER_ID
    worker.save()
    organization = world.objects["organization"]
    organization.leader_name, organization.contact_phone = LEADER_NAME, LEADER_PHONE
    organization.save()
    line = project.budget_lines.first()
    Expense.objects.create(project=project, line=line, amount=Decimal("10"), payee=PERSON_PAYEE,
                           spent_on=datetime.date(2026, 4, 5), description=f"{RESIDENT_NAME}家访交通",
                           receipt=SimpleUploadedFile("票据.jpg", b"\xff\xd8\xff receipt"))
    line.spent += Decimal("10")
    line.save()
    report = project.reports.filter(submitted_at__isnull=False).first()
    report.outcomes = f"{RESIDENT_NAME}（电话{RESIDENT_PHONE}）参加了活动。"
    report.save()
    project.contact_phone, project.contact_name = CONTACT_PHONE, CONTACT_NAME
    project.summary = f"服务对象包括{RESIDENT_NAME}。"
    project.save()
    return project


def assert_no_personal_data(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret
    assert not PHONE_RE.search(text), PHONE_RE.search(text).group(0)
    assert not ID_RE.search(text), ID_RE.search(text).group(0)


# Rounds -------------------------------------------------------------------------------------------------


def test_round_list_shows_non_draft_rounds_without_login(world):
    shown = publicity_round(world, title="公示中的轮次")
    make_round(world, status=RoundStatus.OPEN, title="征集中的轮次")
    make_round(world, status=RoundStatus.DRAFT, title="草稿轮次")
    voided = make_round(world, status=RoundStatus.OPEN, title="作废轮次")
    voided.voided_at = timezone.now()
    voided.save()
    filled_project(world, shown, status=P.IN_PROGRESS)
    response = Client().get(reverse("public:round_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "公示中的轮次" in body and "征集中的轮次" in body and "立项项目 1 个" in body
    assert "草稿轮次" not in body and "作废轮次" not in body


def test_draft_and_voided_rounds_are_404(world):
    draft = make_round(world, status=RoundStatus.DRAFT)
    voided = publicity_round(world)
    voided.voided_at = timezone.now()
    voided.save()
    assert Client().get(round_url(draft)).status_code == 404
    assert Client().get(round_url(voided)).status_code == 404


def test_round_page_shows_rules_and_decision_list_with_ranks_scores_amounts(world):
    funding_round = publicity_round(world)
    other_org = make_org(world, "丽都邻里互助会", region=world.community2)
    winner = filled_project(world, funding_round, status=P.APPROVED, title="银龄探访", rank=1,
                            total_score=Decimal("88.50"), approved_amount=Decimal("8000"))
    make_project(world, funding_round, status=P.REJECTED, title="未获资助项目", applicant=other_org, rank=2,
                 total_score=Decimal("58.00"), approved_amount=Decimal("5000"), region=world.community2)
    make_project(world, funding_round, status=P.DRAFT, title="草稿申请")
    make_project(world, funding_round, status=P.SUBMITTED, title="已提交申请")
    body = Client().get(round_url(funding_round)).content.decode()
    assert "单个项目金额上限" in body and "10,000 元" in body and "居民为主体的公益服务类社区社会组织" in body
    assert "专家 70%，居民 30%" in body and "A ≥ 85" in body and "签约后 50%" in body
    assert "2026-02-01" in body and "2026-02-07" in body and "异议" in body
    assert body.index("银龄探访") < body.index("未获资助项目")
    assert "第 1 名" in body and "88.50" in body and "8000" in body and project_url(winner) in body
    assert "丽都邻里互助会" in body and "58.00" in body and "未立项" in body
    assert "5000" not in body  # no amount for a rejected application
    assert "草稿申请" not in body and "已提交申请" not in body


def test_objection_link_during_publicity_when_the_form_exists(world):
    funding_round = publicity_round(world)
    body = Client().get(round_url(funding_round)).content.decode()
    for name in ("public:objection_create", "public:round_objection"):
        try:
            link = reverse(name, args=[funding_round.public_id])
        except NoReverseMatch:
            continue
        assert link in body
        break


@pytest.mark.parametrize("status", [RoundStatus.OPEN, RoundStatus.REVIEW])
def test_no_decision_list_before_publicity(world, status):
    funding_round = make_round(world, status=status)
    make_project(world, funding_round, status=P.UNDER_REVIEW, title="评审中的申请", rank=1,
                 total_score=Decimal("90"))
    body = Client().get(round_url(funding_round)).content.decode()
    assert "评审结果将在公示期公布。" in body and "评审中的申请" not in body
    assert selectors.decision_list(funding_round) == []


# Projects -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", PUBLIC)
def test_approved_or_later_projects_are_public(world, status):
    project = filled_project(world, publicity_round(world), status=status)
    response = Client().get(project_url(project))
    assert response.status_code == 200


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_drafts_submitted_and_rejected_projects_are_404(world, status):
    project = make_project(world, publicity_round(world), status=status)
    assert Client().get(project_url(project)).status_code == 404


def test_voided_project_and_project_of_a_draft_round_are_404(world):
    voided = make_project(world, publicity_round(world), status=P.IN_PROGRESS)
    voided.voided_at = timezone.now()
    voided.save()
    hidden = make_project(world, make_round(world, status=RoundStatus.DRAFT), status=P.APPROVED)
    assert Client().get(project_url(voided)).status_code == 404
    assert Client().get(project_url(hidden)).status_code == 404


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_public_pages_are_the_same_for_every_persona(client_for, world, persona):
    funding_round = publicity_round(world)
    project = filled_project(world, funding_round, status=P.IN_PROGRESS)
    draft = make_project(world, funding_round, status=P.DRAFT)
    client = client_for(persona)
    assert client.get(reverse("public:round_list")).status_code == 200
    assert client.get(round_url(funding_round)).status_code == 200
    assert client.get(project_url(project)).status_code == 200
    assert client.get(project_url(draft)).status_code == 404


def test_project_page_shows_disclosure(world):
    project = filled_project(world, publicity_round(world), status=P.IN_PROGRESS)
    body = Client().get(project_url(project)).content.decode()
    for expected in [project.title, "将台银龄互助队", "李社工", "将台社区", "社区照顾", "8000.00",
                     "活动物料", "志愿者保险与交通", "宣传印刷", "1550.50", "1449.50", "500.00",
                     str(LEDGER_TOTAL), "已拨付", "2026-03-05", "待拨付", "中期评估", "终期评估", "90.10",
                     "budget-chart-data", "vendor/echarts/echarts.min.js", "projects/budget_chart.js",
                     "间接受益人数为估算值"]:
        assert expected in body, expected
    outcomes = selectors.outcome_summary(project)
    assert (outcomes.activities, outcomes.direct_beneficiaries, outcomes.person_times,
            outcomes.indirect_beneficiaries) == (SUMS["activities"], SUMS["direct"], SUMS["person_times"],
                                                 SUMS["indirect"])
    assert f'<div class="fs-5">{SUMS["person_times"]}</div>' in body
    assert f'<div class="fs-5">{SUMS["direct"]}</div>' in body
    assert "cdn" not in body.lower()


def test_public_project_page_contains_no_personal_data(world):
    project = with_personal_data(world, filled_project(world, publicity_round(world), status=P.IN_PROGRESS))
    response = Client().get(project_url(project))
    assert response.status_code == 200
    body = response.content.decode()
    assert "李社工" in body and "将台银龄互助队" in body  # names of the lead and the organization are public
    assert_no_personal_data(body)
    assert "票据" not in body and "receipt" not in body


def test_public_round_page_contains_no_personal_data(world):
    project = with_personal_data(world, filled_project(world, publicity_round(world), status=P.APPROVED))
    body = Client().get(round_url(project.funding_round)).content.decode()
    assert project.title in body and "已收到异议 1 件" in body
    assert_no_personal_data(body)


# Query counts -------------------------------------------------------------------------------------------


def round_page_queries(funding_round, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = Client().get(round_url(funding_round))
    assert response.status_code == 200
    return len(captured.captured_queries)


def add_decided(world, funding_round, count, start=0):
    for index in range(start, start + count):
        organization = make_org(world, f"互助会{index}")
        make_project(world, funding_round, status=P.APPROVED if index % 3 else P.REJECTED, applicant=organization,
                     title=f"项目{index}", rank=index + 1, total_score=Decimal(90 - index),
                     approved_amount=Decimal("5000"))


def test_round_page_query_count_does_not_grow(world, django_assert_max_num_queries):
    funding_round = publicity_round(world)
    add_decided(world, funding_round, 3)
    few = round_page_queries(funding_round, django_assert_max_num_queries, 5)
    add_decided(world, funding_round, 27, start=3)
    many = round_page_queries(funding_round, django_assert_max_num_queries, 5)
    assert many == few


def test_round_list_and_project_page_query_counts(world, django_assert_max_num_queries):
    funding_round = publicity_round(world)
    project = filled_project(world, funding_round, status=P.IN_PROGRESS)
    for index in range(30):
        make_round(world, status=RoundStatus.OPEN, title=f"轮次{index}")
    with django_assert_max_num_queries(4):
        assert Client().get(reverse("public:round_list")).status_code == 200
    with django_assert_max_num_queries(7):
        assert Client().get(project_url(project)).status_code == 200
