"""The URL table of the emulated Swift, relative to its ``/object-store`` prefix. Every route is
public: the handlers authorise themselves (token, container ACLs or temp URL)."""

from __future__ import annotations

from calor.sandbox.framework.service import Route
from calor.sandbox.object_store.responses import ObjectStoreResponses

ACCOUNT = "/v1/<account>"
CONTAINER = ACCOUNT + "/<container>"
OBJECT = CONTAINER + "/<path:object_name>"


def url_table(handlers: ObjectStoreResponses) -> list[Route]:
    return [
        Route("/info", ("GET",), handlers.info, public=True),
        Route(ACCOUNT, ("GET", "HEAD"), handlers.get_account, "object_store.account.get", public=True),
        Route(ACCOUNT, ("POST",), handlers.post_account, "object_store.account.update", public=True),
        Route(CONTAINER, ("GET", "HEAD"), handlers.get_container, "object_store.container.get", public=True),
        Route(CONTAINER, ("PUT",), handlers.put_container, "object_store.container.create", public=True),
        Route(CONTAINER, ("POST",), handlers.post_container, "object_store.container.update", public=True),
        Route(
            CONTAINER, ("DELETE",), handlers.delete_container, "object_store.container.delete", public=True
        ),
        Route(OBJECT, ("GET", "HEAD"), handlers.get_object, "object_store.object.get", public=True),
        Route(OBJECT, ("PUT",), handlers.put_object, "object_store.object.create", public=True),
        Route(OBJECT, ("POST",), handlers.post_object, "object_store.object.update", public=True),
        Route(OBJECT, ("DELETE",), handlers.delete_object, "object_store.object.delete", public=True),
    ]
