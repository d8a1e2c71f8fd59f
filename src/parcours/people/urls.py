from django.urls import path

from parcours.people import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("nouvelle/", views.create, name="create"),
    path("communes/", views.commune_choices, name="commune_choices"),
    path("<int:person_id>/", views.detail, name="detail"),
    path("<int:person_id>/modifier/", views.edit, name="edit"),
    path("<int:person_id>/foyers/", views.household_add, name="household_add"),
    path(
        "<int:person_id>/foyers/<int:membership_id>/retirer/", views.household_leave, name="household_leave"
    ),
]
