from django.urls import path

from . import views

app_name = "hr"

urlpatterns = [
    path("employees/", views.employee_list, name="employee_list"),
    path("employees/export.csv", views.employee_export, name="employee_export"),
    path("employees/new/", views.employee_create, name="employee_create"),
    path("employees/manager-options/", views.manager_options, name="manager_options"),
    path("employees/<int:pk>/", views.employee_detail, name="employee_detail"),
    path("employees/<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("employees/<int:pk>/deactivate/", views.employee_deactivate, name="employee_deactivate"),
    path("employees/<int:pk>/absences/new/", views.absence_register, name="absence_register"),
    path("absences/", views.absence_list, name="absence_list"),
    path("absences/<int:pk>/", views.absence_edit, name="absence_edit"),
    path("absences/<int:pk>/delete/", views.absence_delete, name="absence_delete"),
    path("absences/<int:pk>/approve/", views.absence_approve, name="absence_approve"),
    path("absences/<int:pk>/reject/", views.absence_reject, name="absence_reject"),
    path("absences/<int:pk>/cancel/", views.absence_cancel, name="absence_cancel"),
    path("approvals/", views.approvals, name="approvals"),
    path("me/", views.my_absences, name="my_absences"),
]
