"""ResourceGroup update_policy steps: batches and the template of each step."""

from __future__ import annotations

from calor.plugins.heat import group_batches as batches


def test_policy_settings_defaults() -> None:
    assert batches.policy_settings({}, batches.ROLLING_UPDATE) is None
    assert batches.policy_settings({"rolling_update": {}}, batches.ROLLING_UPDATE) == (1, 0.0, 0)
    policy = {"batch_create": {"max_batch_size": 3, "pause_time": 2.5}}
    assert batches.policy_settings(policy, batches.BATCH_CREATE) == (3, 2.5, 0)


def test_update_batches_only_changed_members_and_min_in_service() -> None:
    old = {"0": {"type": "A"}, "1": {"type": "A"}, "2": {"type": "A"}}
    new = {"0": {"type": "B"}, "1": {"type": "A"}, "2": {"type": "B"}, "3": {"type": "B"}}
    assert batches.update_batches(old, new, 2, 0) == [["0", "2"], ["3"]]
    assert batches.update_batches(old, new, 5, 2) == [["0"], ["2"], ["3"]]


def test_step_templates_mix_new_and_old_members() -> None:
    old = {"0": {"type": "A"}, "1": {"type": "A"}}
    new = {"0": {"type": "B"}, "1": {"type": "B"}, "2": {"type": "B"}}
    token = batches.new_token("id", [["0"], ["1", "2"]], new, old, 0.0, creating=False)
    assert batches.step_template(token, "2016-10-14")["resources"] == {"0": {"type": "B"}, "1": {"type": "A"}}
    token["step"] = 1
    assert batches.step_template(token, "2016-10-14")["resources"] == new


def test_create_batches_of_nothing_is_one_empty_step() -> None:
    assert batches.create_batches([], 2) == [[]]
    assert batches.create_batches(["0", "1", "2"], 2) == [["0", "1"], ["2"]]
