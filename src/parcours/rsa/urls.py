app_name = "rsa"
urlpatterns: list = []
