"""Server groups and their policies (affinity, anti-affinity and the soft variants)."""

from __future__ import annotations

from typing import Any

from calor.sandbox.framework.errors import BadRequest, Forbidden, NotFound
from calor.sandbox.framework.ids import new_uuid
from calor.sandbox.framework.store import Collection, Document

POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")


class ServerGroups:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    def create(
        self,
        project_id: str,
        user_id: str,
        name: Any,
        policy: Any,
        rules: dict[str, Any] | None = None,
        *,
        allowed: bool = True,
    ) -> Document:
        if not isinstance(name, str) or not name.strip():
            raise BadRequest("Invalid input for field/attribute name.")
        if policy not in POLICIES:
            raise BadRequest(f"Invalid input for field/attribute policy. Value: {policy}.")
        if rules and policy != "anti-affinity":
            raise BadRequest("Only anti-affinity policy supports rules.")
        if not allowed:
            raise Forbidden("Quota exceeded, too many server groups.")
        document = {
            "id": new_uuid(),
            "project_id": project_id,
            "user_id": user_id,
            "name": name,
            "policy": policy,
            "rules": dict(rules or {}),
            "members": [],
            "metadata": {},
        }
        return self.collection.put(document)

    def get(self, group_id: str, project_id: str | None = None) -> Document:
        document = self.collection.get(group_id)
        if document is None or (project_id is not None and document["project_id"] != project_id):
            raise NotFound(f"Instance group {group_id} could not be found.")
        return document

    def list(self, project_id: str | None) -> list[Document]:
        return self.collection.list(project_id)

    def delete(self, group_id: str, project_id: str | None = None) -> None:
        self.get(group_id, project_id)
        self.collection.delete(group_id)

    def add_member(self, group_id: str, project_id: str, server_id: str, member_limit: int) -> None:
        with self.collection.store.lock:
            group = self.get(group_id, project_id)
            if 0 <= member_limit <= len(group["members"]):
                raise Forbidden("Quota exceeded, too many servers in group")
            group["members"].append(server_id)
            self.collection.put(group)

    def remove_member(self, server_id: str) -> None:
        with self.collection.store.lock:
            for group in self.collection.list():
                if server_id in group["members"]:
                    group["members"].remove(server_id)
                    self.collection.put(group)
