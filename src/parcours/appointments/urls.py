from django.urls import path

from parcours.appointments import views

app_name = "appointments"
urlpatterns = [path("", views.agenda, name="agenda")]
