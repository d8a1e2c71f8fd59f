from django.urls import include, path

from parcours.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<int:service_id>/", views.service_detail, name="service"),
    path("services/<int:service_id>/modifier/", views.service_edit, name="service_edit"),
    path("mes-services/", views.my_services, name="my_services"),
    path("import/", views.import_page, name="import"),
    path("", include("parcours.directory.urls_orientations")),  # orientations and mobility (D3)
    path("", include("parcours.directory.urls_coverage")),  # coverage analysis and maps (D2)
]
