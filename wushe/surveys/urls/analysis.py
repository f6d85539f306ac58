from django.urls import path

from ..views import analysis as views

urlpatterns = [
    path("<uuid:survey_id>/analysis/", views.survey_analysis, name="survey_analysis"),
    path("<uuid:survey_id>/analysis/<str:question>/", views.survey_crosstab, name="survey_crosstab"),
    path("<uuid:survey_id>/analysis-news/", views.survey_analysis_news, name="survey_analysis_news"),
    path("<uuid:survey_id>/export.xlsx", views.survey_export_view, name="survey_export"),
]
