import json

from django.core.management.base import BaseCommand, CommandError

from fortnox_sandbox import spec


class Command(BaseCommand):
    help = (f"Write the sandbox's field definitions ({spec.FIELDS_PATH.name}) from Fortnox's openapi.json "
            "(FORTNOX_OPENAPI_PATH): run it when the sandbox implements another resource or Fortnox publishes a new spec.")

    def add_arguments(self, parser):
        parser.add_argument("--openapi", help="openapi.json to read (default: FORTNOX_OPENAPI_PATH, ../shared/fortnox/openapi.json).")

    def handle(self, *args, openapi=None, **options):
        path = openapi or spec.openapi_path()
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read Fortnox's openapi.json at {path}: {error}") from None
        try:
            schemas = spec.definitions_from(document)
        except KeyError as error:
            raise CommandError(f"{path} has no schema {error}: is it Fortnox's openapi.json?") from None
        spec.FIELDS_PATH.write_text(
            '{"written_by": "manage.py sandbox_fields",\n "schemas": ' + _readable(schemas, 1, mapping=True) + "}\n", encoding="utf-8")
        fields = sum(len(schema.get("properties", {})) for schema in schemas.values())
        self.stdout.write(f"{len(schemas)} schemas, {fields} fields written to {spec.FIELDS_PATH}.")



def _readable(node: dict, depth: int, *, mapping: bool = False) -> str:
    """JSON with one field per line (its keywords on that line; an object's or array's fields
    below it), so a diff shows which field of which schema Fortnox changed. `mapping`: `node`
    maps names to definitions (the schemas, an object's properties)."""
    if not mapping and "properties" not in node and "items" not in node:
        return json.dumps(node, ensure_ascii=False)
    pad = " " * (depth + 1)

    def value(key, item):
        if mapping or key == "items":
            return _readable(item, depth + 1)
        if key == "properties":
            return _readable(item, depth + 1, mapping=True)
        return json.dumps(item, ensure_ascii=False)

    return "{\n" + ",\n".join(f"{pad}{json.dumps(key, ensure_ascii=False)}: {value(key, item)}" for key, item in node.items()) + "}"
