"""The analysis rows (`AnswerValue`) derived from a response's answers."""

from wushe.surveys.models import AnswerValue, ResponseStatus, SurveyResponse
from wushe.surveys.xlsform.engine import iter_questions

VALUE_TYPES = {"text", "integer", "decimal", "date", "select_one", "select_multiple", "calculate"}


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def value_rows(response: SurveyResponse) -> list[AnswerValue]:
    """One row per answered value; one per chosen option of a select_multiple question."""
    rows: list[AnswerValue] = []
    base = {"response": response, "survey_id": response.survey_id, "region_id": response.region_id,
            "population_group_id": response.population_group_id}
    answers = response.answers or {}

    def emit(question: dict, value, repeat_index):
        kind = question["type"]
        if value is None or value == "" or value == []:
            return
        name = question["name"]
        if kind == "select_multiple":
            for choice in value:
                rows.append(AnswerValue(**base, question=name, repeat_index=repeat_index, choice=str(choice)))
        elif kind == "select_one":
            rows.append(AnswerValue(**base, question=name, repeat_index=repeat_index, choice=str(value)))
        elif kind in {"integer", "decimal"}:
            rows.append(AnswerValue(**base, question=name, repeat_index=repeat_index, number=_number(value)))
        elif kind == "calculate":
            rows.append(AnswerValue(**base, question=name, repeat_index=repeat_index, number=_number(value),
                                    text=str(value)))
        else:
            rows.append(AnswerValue(**base, question=name, repeat_index=repeat_index, text=str(value)))

    for question, repeat in iter_questions(response.survey.definition):
        if question["type"] not in VALUE_TYPES:
            continue
        if repeat:
            for index, instance in enumerate(answers.get(repeat) or []):
                emit(question, (instance or {}).get(question["name"]), index)
        else:
            emit(question, answers.get(question["name"]), None)
    return rows


def refresh_values(response: SurveyResponse) -> int:
    """Rewrite the response's analysis rows: present only while it is submitted and not voided.
    Call inside the transaction that changed the response."""
    AnswerValue.objects.filter(response=response).delete()
    if response.status != ResponseStatus.SUBMITTED or response.voided_at is not None:
        return 0
    rows = value_rows(response)
    AnswerValue.objects.bulk_create(rows, batch_size=500)
    return len(rows)
