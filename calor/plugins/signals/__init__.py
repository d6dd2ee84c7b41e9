"""Wait conditions and their handles: resources that wait for signals from inside instances.

``AWS::CloudFormation::WaitConditionHandle`` / ``OS::Heat::WaitConditionHandle`` take
signals (through heat-api-cfn's pre-signed URLs, or heat-api's resource signal) and
store them as resource data; ``AWS::CloudFormation::WaitCondition`` /
``OS::Heat::WaitCondition`` poll the stored signals until enough arrive, a FAILURE
arrives, or their timeout passes. What the plugins need of the deployment (the URL of
heat-api-cfn, per-stack credentials, a reader of stored signals) is given once at start
by :func:`calor.plugins.signals.wiring.configure`.
"""
