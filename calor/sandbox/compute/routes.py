"""The URL table of the emulated Nova, relative to its ``/compute`` prefix."""

from __future__ import annotations

from calor.sandbox.compute.resource_responses import ResourceResponses
from calor.sandbox.compute.responses import ServerResponses
from calor.sandbox.compute.tag_responses import TagResponses
from calor.sandbox.framework.service import Route

V = "/v2.1"
SERVER = V + "/servers/<server_id>"
FLAVOR = V + "/flavors/<flavor_id>"
QUOTA_SET = V + "/os-quota-sets/<project_id>"


def url_table(servers: ServerResponses, resources: ResourceResponses, tags: TagResponses) -> list[Route]:
    return [
        Route("/", ("GET",), resources.show_versions, public=True),
        Route(V, ("GET",), resources.show_version, public=True),
        Route(V + "/", ("GET",), resources.show_version, public=True),
        Route(V + "/servers", ("GET",), servers.list_servers, "compute.server.list"),
        Route(V + "/servers", ("POST",), servers.create_server, "compute.server.create"),
        Route(V + "/servers/detail", ("GET",), servers.list_servers_detail, "compute.server.list"),
        Route(SERVER, ("GET",), servers.show_server, "compute.server.show"),
        Route(SERVER, ("PUT",), servers.update_server, "compute.server.update"),
        Route(SERVER, ("DELETE",), servers.delete_server, "compute.server.delete"),
        Route(SERVER + "/action", ("POST",), servers.server_action, "compute.server.action"),
        Route(SERVER + "/remote-consoles", ("POST",), servers.remote_console, "compute.server.console"),
        Route(SERVER + "/ips", ("GET",), servers.server_addresses, "compute.server.show"),
        Route(SERVER + "/metadata", ("GET",), servers.list_metadata, "compute.metadata.list"),
        Route(SERVER + "/metadata", ("POST",), servers.merge_metadata, "compute.metadata.update"),
        Route(SERVER + "/metadata", ("PUT",), servers.replace_metadata, "compute.metadata.update"),
        Route(SERVER + "/metadata/<key>", ("GET",), servers.show_metadata_item, "compute.metadata.show"),
        Route(SERVER + "/metadata/<key>", ("PUT",), servers.set_metadata_item, "compute.metadata.update"),
        Route(
            SERVER + "/metadata/<key>", ("DELETE",), servers.delete_metadata_item, "compute.metadata.delete"
        ),
        Route(SERVER + "/tags", ("GET",), tags.list_tags, "compute.tag.list"),
        Route(SERVER + "/tags", ("PUT",), tags.replace_tags, "compute.tag.update"),
        Route(SERVER + "/tags", ("DELETE",), tags.delete_tags, "compute.tag.delete"),
        Route(SERVER + "/tags/<tag>", ("GET",), tags.check_tag, "compute.tag.show"),
        Route(SERVER + "/tags/<tag>", ("PUT",), tags.add_tag, "compute.tag.update"),
        Route(SERVER + "/tags/<tag>", ("DELETE",), tags.delete_tag, "compute.tag.delete"),
        Route(SERVER + "/os-interface", ("GET",), servers.list_interfaces, "compute.interface.list"),
        Route(SERVER + "/os-interface", ("POST",), servers.attach_interface, "compute.interface.create"),
        Route(SERVER + "/os-interface/<port_id>", ("GET",), servers.show_interface, "compute.interface.show"),
        Route(
            SERVER + "/os-interface/<port_id>",
            ("DELETE",),
            servers.detach_interface,
            "compute.interface.delete",
        ),
        Route(
            SERVER + "/os-volume_attachments",
            ("GET",),
            servers.list_volume_attachments,
            "compute.volume_attachment.list",
        ),
        Route(
            SERVER + "/os-volume_attachments",
            ("POST",),
            servers.attach_volume,
            "compute.volume_attachment.create",
        ),
        Route(
            SERVER + "/os-volume_attachments/<volume_id>",
            ("GET",),
            servers.show_volume_attachment,
            "compute.volume_attachment.show",
        ),
        Route(
            SERVER + "/os-volume_attachments/<volume_id>",
            ("DELETE",),
            servers.detach_volume,
            "compute.volume_attachment.delete",
        ),
        Route(V + "/flavors", ("GET",), resources.list_flavors, "compute.flavor.list"),
        Route(V + "/flavors", ("POST",), resources.create_flavor, "compute.flavor.create"),
        Route(V + "/flavors/detail", ("GET",), resources.list_flavors_detail, "compute.flavor.list"),
        Route(FLAVOR, ("GET",), resources.show_flavor, "compute.flavor.show"),
        Route(FLAVOR, ("PUT",), resources.update_flavor, "compute.flavor.update"),
        Route(FLAVOR, ("DELETE",), resources.delete_flavor, "compute.flavor.delete"),
        Route(FLAVOR + "/action", ("POST",), resources.flavor_action, "compute.flavor.update"),
        Route(FLAVOR + "/os-flavor-access", ("GET",), resources.list_flavor_access, "compute.flavor.show"),
        Route(FLAVOR + "/os-extra_specs", ("GET",), resources.list_extra_specs, "compute.flavor.show"),
        Route(FLAVOR + "/os-extra_specs", ("POST",), resources.create_extra_specs, "compute.flavor.update"),
        Route(FLAVOR + "/os-extra_specs/<key>", ("GET",), resources.show_extra_spec, "compute.flavor.show"),
        Route(
            FLAVOR + "/os-extra_specs/<key>", ("PUT",), resources.update_extra_spec, "compute.flavor.update"
        ),
        Route(
            FLAVOR + "/os-extra_specs/<key>",
            ("DELETE",),
            resources.delete_extra_spec,
            "compute.flavor.update",
        ),
        Route(V + "/os-keypairs", ("GET",), resources.list_keypairs, "compute.keypair.list"),
        Route(V + "/os-keypairs", ("POST",), resources.create_keypair, "compute.keypair.create"),
        Route(V + "/os-keypairs/<name>", ("GET",), resources.show_keypair, "compute.keypair.show"),
        Route(V + "/os-keypairs/<name>", ("DELETE",), resources.delete_keypair, "compute.keypair.delete"),
        Route(V + "/os-server-groups", ("GET",), resources.list_server_groups, "compute.server_group.list"),
        Route(
            V + "/os-server-groups", ("POST",), resources.create_server_group, "compute.server_group.create"
        ),
        Route(
            V + "/os-server-groups/<group_id>",
            ("GET",),
            resources.show_server_group,
            "compute.server_group.show",
        ),
        Route(
            V + "/os-server-groups/<group_id>",
            ("DELETE",),
            resources.delete_server_group,
            "compute.server_group.delete",
        ),
        Route(
            V + "/os-availability-zone",
            ("GET",),
            resources.availability_zones,
            "compute.availability_zone.list",
        ),
        Route(
            V + "/os-availability-zone/detail",
            ("GET",),
            resources.availability_zones_detail,
            "compute.availability_zone.list",
        ),
        Route(V + "/limits", ("GET",), resources.limits, "compute.limits.show"),
        Route(QUOTA_SET, ("GET",), resources.show_quota_set, "compute.quota.show"),
        Route(QUOTA_SET, ("PUT",), resources.update_quota_set, "compute.quota.update"),
        Route(QUOTA_SET, ("DELETE",), resources.delete_quota_set, "compute.quota.delete"),
        Route(QUOTA_SET + "/detail", ("GET",), resources.show_quota_set_detail, "compute.quota.show"),
        Route(QUOTA_SET + "/defaults", ("GET",), resources.show_default_quota_set, "compute.quota.show"),
    ]
