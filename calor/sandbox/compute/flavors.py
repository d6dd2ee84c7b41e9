"""Flavors: devstack's default set at bootstrap, admin-only create and delete, extra specs."""

from __future__ import annotations

from typing import Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.framework.ids import new_uuid
from calor.sandbox.framework.store import Collection, Document

# (id, name, ram MiB, disk GiB, vcpus): devstack's m1.* and its small ds* flavors.
DEFAULT_FLAVORS: tuple[tuple[str, str, int, int, int], ...] = (
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2),
    ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8),
    ("42", "m1.nano", 128, 1, 1),
    ("84", "m1.micro", 192, 1, 1),
    ("c1", "cirros256", 256, 1, 1),
    ("d1", "ds512M", 512, 5, 1),
    ("d2", "ds1G", 1024, 10, 1),
    ("d3", "ds2G", 2048, 10, 2),
    ("d4", "ds4G", 4096, 20, 4),
)


def _flavor(
    flavor_id: str,
    name: str,
    ram: int,
    disk: int,
    vcpus: int,
    *,
    ephemeral: int = 0,
    swap: int = 0,
    rxtx_factor: float = 1.0,
    is_public: bool = True,
    description: str | None = None,
) -> Document:
    return {
        "id": flavor_id,
        "name": name,
        "ram": ram,
        "disk": disk,
        "vcpus": vcpus,
        "ephemeral": ephemeral,
        "swap": swap,
        "rxtx_factor": rxtx_factor,
        "is_public": is_public,
        "disabled": False,
        "description": description,
        "extra_specs": {},
        "projects": [],
    }


def _positive_integer(body: dict[str, Any], name: str, *, minimum: int, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}.")
    try:
        number = int(value)
    except ValueError as error:
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}.") from error
    if number < minimum:
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}.")
    return number


class Flavors:
    """The flavor catalogue, shared by every project."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    def bootstrap(self) -> None:
        for flavor_id, name, ram, disk, vcpus in DEFAULT_FLAVORS:
            self.collection.put(_flavor(flavor_id, name, ram, disk, vcpus))

    def get(self, flavor_id: str) -> Document:
        flavor = self.collection.get(str(flavor_id))
        if flavor is None:
            raise NotFound(f"Flavor {flavor_id} could not be found.")
        return flavor

    def visible(self, flavor: Document, project_id: str | None) -> bool:
        """Public flavors, and private ones the project was given access to (None: every flavor)."""
        return project_id is None or flavor["is_public"] or project_id in flavor.get("projects", [])

    def get_visible(self, flavor_id: str, project_id: str | None) -> Document:
        flavor = self.get(flavor_id)
        if not self.visible(flavor, project_id):
            raise NotFound(f"Flavor {flavor_id} could not be found.")
        return flavor

    def list_flavors(
        self,
        *,
        is_public: bool | None = True,
        project_id: str | None = None,
        minimum_ram: int = 0,
        minimum_disk: int = 0,
    ) -> list[Document]:
        """Flavors by ``is_public`` (None: both); a non-admin ``project_id`` sees the public ones
        and the private ones it was given access to."""
        return [
            flavor
            for flavor in self.collection.list()
            if (is_public is None or flavor["is_public"] == is_public or project_id is not None)
            and self.visible(flavor, project_id)
            and flavor["ram"] >= minimum_ram
            and flavor["disk"] >= minimum_disk
        ]

    def access(self, flavor_id: str) -> list[str]:
        flavor = self.get(flavor_id)
        if flavor["is_public"]:
            raise NotFound("Access list not available for public flavors.")
        return list(flavor.get("projects", []))

    def set_access(self, flavor_id: str, project_id: str, *, granted: bool) -> list[str]:
        with self.collection.store.lock:
            flavor = self.get(flavor_id)
            projects: list[str] = flavor.setdefault("projects", [])
            if granted:
                if flavor["is_public"]:
                    raise Conflict("Can not add access to a public flavor.")
                if project_id in projects:
                    raise Conflict(
                        f"Flavor access already exists for flavor {flavor_id} and project {project_id} "
                        "combination."
                    )
                projects.append(project_id)
            else:
                if project_id not in projects:
                    raise NotFound(f"Flavor access not found for {flavor_id} / {project_id} combination.")
                projects.remove(project_id)
            self.collection.put(flavor)
            return list(projects)

    def create(self, body: dict[str, Any]) -> Document:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise BadRequest("Invalid input for field/attribute name.")
        flavor_id = body.get("id")
        if flavor_id is None or flavor_id == "":
            flavor_id = new_uuid()
        flavor_id = str(flavor_id)
        flavor = _flavor(
            flavor_id,
            name.strip(),
            _positive_integer(body, "ram", minimum=1),
            _positive_integer(body, "disk", minimum=0),
            _positive_integer(body, "vcpus", minimum=1),
            ephemeral=_positive_integer(body, "OS-FLV-EXT-DATA:ephemeral", minimum=0, default=0),
            swap=_positive_integer(body, "swap", minimum=0, default=0) if body.get("swap") != "" else 0,
            rxtx_factor=float(body.get("rxtx_factor", 1.0)),
            is_public=bool(body.get("os-flavor-access:is_public", True)),
            description=body.get("description"),
        )
        with self.collection.store.lock:
            if self.collection.get(flavor_id) is not None:
                raise Conflict(f"Flavor with ID {flavor_id} already exists.")
            if any(existing["name"] == flavor["name"] for existing in self.collection.list()):
                raise Conflict(f"Flavor with name {flavor['name']} already exists.")
            return self.collection.put(flavor)

    def update_description(self, flavor_id: str, description: str | None) -> Document:
        with self.collection.store.lock:
            flavor = self.get(flavor_id)
            flavor["description"] = description
            return self.collection.put(flavor)

    def delete(self, flavor_id: str) -> None:
        self.get(flavor_id)
        self.collection.delete(str(flavor_id))

    def set_extra_specs(self, flavor_id: str, specs: dict[str, Any]) -> dict[str, str]:
        for key, value in specs.items():
            if not isinstance(value, str | int | float | bool):
                raise BadRequest(f"Invalid input for field/attribute extra_specs. Value: {key}.")
        with self.collection.store.lock:
            flavor = self.get(flavor_id)
            flavor["extra_specs"].update({key: str(value) for key, value in specs.items()})
            self.collection.put(flavor)
            return dict(flavor["extra_specs"])

    def delete_extra_spec(self, flavor_id: str, key: str) -> None:
        with self.collection.store.lock:
            flavor = self.get(flavor_id)
            if key not in flavor["extra_specs"]:
                raise NotFound(f"Flavor {flavor_id} has no extra specs with key {key}.")
            del flavor["extra_specs"][key]
            self.collection.put(flavor)
