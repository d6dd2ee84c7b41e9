"""The URL table of the emulated Glance, relative to its ``/image`` prefix."""

from __future__ import annotations

from calor.sandbox.framework.service import Route
from calor.sandbox.image.responses import ImageResponses

IMAGE = "/v2/images/<image_id>"


def url_table(images: ImageResponses) -> list[Route]:
    return [
        Route("/", ("GET",), images.versions, public=True),
        Route("/versions", ("GET",), images.versions_ok, public=True),
        Route("/v2", ("GET",), images.versions, public=True),
        Route("/v2/", ("GET",), images.versions, public=True),
        Route("/v2/images", ("GET",), images.list_images, "image.image.list"),
        Route("/v2/images", ("POST",), images.create_image, "image.image.create"),
        Route(IMAGE, ("GET",), images.show_image, "image.image.show"),
        Route(IMAGE, ("PATCH",), images.update_image, "image.image.update"),
        Route(IMAGE, ("DELETE",), images.delete_image, "image.image.delete"),
        Route(IMAGE + "/file", ("PUT",), images.upload_data, "image.image.upload"),
        Route(IMAGE + "/file", ("GET",), images.download_data, "image.image.download"),
        Route(IMAGE + "/stage", ("PUT",), images.stage_data, "image.image.upload"),
        Route(IMAGE + "/import", ("POST",), images.import_image, "image.image.import"),
        Route(IMAGE + "/tags/<tag>", ("PUT",), images.add_tag, "image.image.update"),
        Route(IMAGE + "/tags/<tag>", ("DELETE",), images.delete_tag, "image.image.update"),
        Route(IMAGE + "/actions/deactivate", ("POST",), images.deactivate, "image.image.update"),
        Route(IMAGE + "/actions/reactivate", ("POST",), images.reactivate, "image.image.update"),
        Route("/v2/schemas/image", ("GET",), images.image_schema, "image.schema.show"),
        Route("/v2/schemas/images", ("GET",), images.images_schema, "image.schema.show"),
        Route("/v2/info/import", ("GET",), images.import_info, "image.info.show"),
    ]
