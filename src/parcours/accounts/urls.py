from django.urls import path

from parcours.accounts import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.AgentLoginView.as_view(), name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("second-facteur/", views.otp_view, name="otp"),
    path("jetons/", views.api_tokens, name="api_tokens"),
]
