"""The fixed cloud-init parts Heat puts in a server's multipart user data (its ``heat/cloudinit``).

These are Calor's own versions of the same parts: a cloud-config, a boothook preparing
``/var/lib/heat-cfntools``, a part handler that writes every ``text/x-cfninitdata`` part
into that directory (where heat-cfntools and os-collect-config look for ``cfn-init-data``,
``cfn-metadata-server`` and ``cfn-boto-cfg``) and a script running ``cfn-userdata`` with
its output logged to ``/var/log/heat-provision.log``.
"""

from __future__ import annotations

from typing import Final

CFNTOOLS_DIRECTORY: Final = "/var/lib/heat-cfntools"

CLOUD_CONFIG: Final = """\
#cloud-config
${add_custom_user}
cloud_config_modules:
 - locale
 - set_hostname
 - ssh
 - timezone
 - update_etc_hosts
 - update_hostname
 - runcmd

# Keep SELinux from blocking the cfn tools on images that enable it.
runcmd:
 - setenforce 0 > /dev/null 2>&1 || true
"""

BOOTHOOK: Final = f"""\
#!/bin/bash
# Prepare the directory heat-cfntools reads its configuration from.
mkdir -p {CFNTOOLS_DIRECTORY}
chmod 700 {CFNTOOLS_DIRECTORY}
# Let sudo work without a tty for the provisioning scripts.
if [ -f /etc/sudoers ]; then
    sed -i 's/^Defaults\\s*requiretty/#Defaults requiretty/' /etc/sudoers
fi
"""

PART_HANDLER: Final = f"""\
#part-handler
# Writes each text/x-cfninitdata part into {CFNTOOLS_DIRECTORY}/<filename>.
import datetime
import errno
import os
import sys

DIRECTORY = "{CFNTOOLS_DIRECTORY}"


def list_types():
    return ["text/x-cfninitdata"]


def handle_part(data, content_type, filename, payload):
    if content_type in ("__begin__", "__end__"):
        return
    try:
        os.makedirs(DIRECTORY, 0o700)
    except OSError as error:
        if error.errno != errno.EEXIST:
            raise
    timestamp = datetime.datetime.now().isoformat()
    sys.stdout.write("%s calor part handler: writing %s\\n" % (timestamp, filename))
    with open(os.path.join(DIRECTORY, filename), "wb") as handle:
        handle.write(payload.encode("utf-8") if isinstance(payload, str) else payload)
"""

LOG_USER_DATA: Final = f"""\
#!/usr/bin/env python3
# Runs {CFNTOOLS_DIRECTORY}/cfn-userdata, logging its output to /var/log/heat-provision.log.
import datetime
import os
import subprocess
import sys

SCRIPT = "{CFNTOOLS_DIRECTORY}/cfn-userdata"
LOG = "/var/log/heat-provision.log"


def main():
    os.chmod(SCRIPT, 0o700)
    with open(LOG, "a") as log:
        log.write("Provision began: %s\\n" % datetime.datetime.now())
        log.flush()
        returncode = subprocess.call([SCRIPT], stdout=log, stderr=log)
        log.write("Provision done: %s (exit %d)\\n" % (datetime.datetime.now(), returncode))
    with open("{CFNTOOLS_DIRECTORY}/provision-finished", "w"):
        pass
    return returncode


if __name__ == "__main__":
    sys.exit(main())
"""
