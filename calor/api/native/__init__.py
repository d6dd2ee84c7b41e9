"""Heat's v1 REST API (``/v1/{project_id}/...``) as a Flask WSGI application.

One module per route family (stacks, resources, events, actions, templates,
resource_types, software, service_info, versions); ``app.create_app`` assembles them
behind authentication (keystonemiddleware), oslo.policy and Heat's error body.
"""

from calor.api.native.app import create_app

__all__ = ["create_app"]
