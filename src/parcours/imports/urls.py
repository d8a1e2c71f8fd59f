from django.urls import path

from parcours.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:batch_id>/", views.detail, name="detail"),
    path("<int:batch_id>/rejets.csv", views.rejected, name="rejected"),
    path("doublons/", views.duplicate_list, name="duplicates"),
    path("doublons/<int:candidate_id>/<str:action>/", views.duplicate_decide, name="duplicate_decide"),
]
