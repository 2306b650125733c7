"""Posting admin forms the way a browser does, inlines included."""

from django.db.models.fields.files import FieldFile


def _plain(value):
    if value is None or value is False or isinstance(value, FieldFile):
        return None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return value


def page_data(client, url: str, **changes) -> dict:
    """What the browser would post back from the admin page at url, with changes."""
    response = client.get(url)
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name in form.fields:
            value = _plain(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value
    data.update(changes)
    return data
