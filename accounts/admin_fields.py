"""People in the admin by name and role, never by the e-ID username (#18).

An applicant's username is "eid-<personnummer>": shown in a picker or a list it puts a
personnummer on the screen and tells the administrator nothing. Every admin that points at a
person uses these: list columns (`person_column`), pickers of staff of the right role only
(`PeopleByNameAdmin.person_roles`), and the read-only record pages, where a person is shown by
name as well.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, Role, User

# Who holds meetings and is away: the work track's secretaries and the social track's
# caseworkers (meetings.availability), their team leads included.
MEETING_ROLES: tuple[str, ...] = (Role.SECRETARY, Role.CASEWORKER, Role.TEAM_LEAD)


def person_name(user: User | None) -> str:
    """The person's name; an applicant without one is never shown by the e-ID username."""
    if user is None:
        return "–"
    name = user.get_full_name()
    if name:
        return name
    if user.is_applicant or user.username.startswith("eid-"):
        return gettext("Sökande utan namn")
    return user.username


def login_name(user: User) -> str:
    """Staff: the username they log in with. Applicants log in with e-ID: their username holds
    the personnummer and is never shown."""
    if user.is_applicant or user.role not in STAFF_ROLES or user.username.startswith("eid-"):
        return gettext("e-legitimation")
    return user.username


def person_label(user: User) -> str:
    """Name, role and municipality, as a picker lists them:
    "Anna Berg (Handläggare, Trelleborg)"."""
    details = [str(user.get_role_display())]
    if user.municipality is not None:
        details.append(user.municipality.name)
    if not user.is_active:
        details.append(gettext("inaktiv"))
    return f"{person_name(user)} ({', '.join(details)})"


def staff_choices(roles: Sequence[str] = STAFF_ROLES) -> QuerySet[User]:
    """The staff of these roles, by name: never an applicant."""
    return (
        User.objects.filter(role__in=list(roles))
        .exclude(role=Role.APPLICANT)
        .select_related("municipality")
        .order_by("-is_active", "first_name", "last_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_label(obj)


def points_at_person(field: Any) -> bool:
    """A foreign key, one-to-one or many-to-many to the user model."""
    return bool(getattr(field, "is_relation", False)) and field.related_model is User


# Labels for the person fields whose models name them in English only.
FIELD_LABELS = {
    "applicant": _("Sökande"),
    "actor": _("utförd av"),
    "recorded_by": _("registrerat av"),
    "secretary": _("medarbetare"),
    "user": _("användare"),
}


def person_field_label(field: Any) -> Any:
    """The field's verbose name, or a Swedish one where the model gives none."""
    verbose_name = getattr(field, "verbose_name", None)
    if verbose_name is None or str(verbose_name) == field.name.replace("_", " "):
        return FIELD_LABELS.get(field.name, verbose_name or field.name)
    return verbose_name


def person_column(path: str, description: Any, order: str | None = None) -> Callable[[Any], str]:
    """A list or record column with the person at `path` ("decided_by", "secretary") by name."""

    def column(obj: Any) -> str:
        value: Any = obj
        for part in path.split("__"):
            value = getattr(value, part, None)
            if value is None:
                break
        return person_name(value)

    column.short_description = description  # type: ignore[attr-defined]
    column.admin_order_field = order or f"{path}__last_name"  # type: ignore[attr-defined]
    column.__name__ = f"{path}_name"
    return column


class PeopleByNameAdmin(admin.ModelAdmin):
    """Pickers list staff of the right role by name; read-only records show people by name.

    `person_roles` names, per field, the roles that may be chosen (staff of every role when a
    field is not named); an applicant is never among them.
    """

    person_roles: ClassVar[Mapping[str, Sequence[str]]] = {}
    _person_displays: ClassVar[dict[str, Callable[[Any], str]]]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if points_at_person(db_field):
            kwargs.setdefault(
                "queryset", staff_choices(self.person_roles.get(db_field.name, STAFF_ROLES))
            )
            kwargs["form_class"] = PersonChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField | None:
        if points_at_person(db_field):
            kwargs.setdefault(
                "queryset", staff_choices(self.person_roles.get(db_field.name, STAFF_ROLES))
            )
            kwargs["form_class"] = PersonMultipleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # A record shown read-only: its people as columns by name instead of the linked username.

    def _people_shown_read_only(self, request: HttpRequest, obj: Any) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def _person_display_map(self) -> dict[str, Callable[[Any], str]]:
        """One display per person field of the model, made once per admin class (the same
        objects in `fields` and `readonly_fields`, as the admin's form requires)."""
        displays = type(self).__dict__.get("_person_displays")
        if displays is None:
            displays = {}
            for field in self.model._meta.get_fields():
                if points_at_person(field) and field.concrete and not field.many_to_many:
                    displays[field.name] = person_column(
                        field.name, person_field_label(field), order=f"{field.name}__last_name"
                    )
            type(self)._person_displays = displays
        return displays

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields: list[Any] = list(super().get_readonly_fields(request, obj))
        if self._people_shown_read_only(request, obj):
            fields += list(self._person_display_map().values())
        return fields

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields: list[Any] = list(super().get_fields(request, obj))
        if not self._people_shown_read_only(request, obj):
            return fields
        displays = self._person_display_map()
        added = set(displays.values())
        shown: list[Any] = []
        for name in fields:
            if not isinstance(name, str):
                if name not in added:  # the displays added by get_readonly_fields go in place
                    shown.append(name)
                continue
            shown.append(displays.get(name, name))
        return shown
