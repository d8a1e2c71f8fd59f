from django.urls import path

from parcours.appointments import public_views

app_name = "booking"
urlpatterns = [path("<str:token>/", public_views.invitation, name="invitation")]
