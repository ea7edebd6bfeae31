"""Message waits and timers of the facade, through a save and a restore as the engine runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.workflow.clock import use_clock
from engine.workflow.instance import WorkflowInstance, listens_for_messages
from engine.workflow.spiff import SPEC_CACHE, FieldBankScriptEngine, parse_bpmn, spec_from_json, spec_to_json

BPMN = Path(__file__).resolve().parents[3] / "integration" / "processes" / "awaiting_decision.bpmn"
ENGINE = FieldBankScriptEngine(frozenset())


def deployed() -> tuple[object, dict[str, object]]:
    """As deployment stores it: parsed once, serialized, restored, referenced by the instances."""
    [(_pid, spec, subs)] = parse_bpmn(BPMN.read_bytes(), BPMN.name)
    pair = spec_from_json(spec_to_json(spec, subs))
    pair[0].fieldbank_spec_ref = "awaiting_decision@test"
    SPEC_CACHE.put("awaiting_decision@test", pair)
    return pair


def saved_and_restored(instance: WorkflowInstance) -> WorkflowInstance:
    return WorkflowInstance.load(instance.dump(), ENGINE)


def waiting(instance_id: str = "abcdefgh-0000") -> WorkflowInstance:
    pair = deployed()
    instance = WorkflowInstance.start(pair, ENGINE, {"instance_id": instance_id})
    instance.run()
    return saved_and_restored(instance)


def test_the_process_listens_and_publishes_its_correlation_key() -> None:
    assert listens_for_messages(deployed())
    instance = waiting("abcdefgh-1111")
    assert [(m.name, m.correlation_key) for m in instance.waiting_messages()] == [
        ("card_decision", "APP-abcdefgh")
    ]


def test_only_the_right_name_and_key_are_delivered() -> None:
    instance = waiting()
    assert not instance.deliver_message("card_decision", "APP-someone", {"decision": "APPROVED"})
    assert not instance.deliver_message("loan_decision", "APP-abcdefgh", {"decision": "APPROVED"})
    assert instance.deliver_message("card_decision", "APP-abcdefgh", {"decision": "APPROVED", "limit": 5000})
    instance.run()
    instance = saved_and_restored(instance)
    assert instance.completed and instance.data["outcome"] == "APPROVED"
    assert instance.data["card_decision"]["limit"] == 5000
    assert instance.waiting_messages() == []


def test_the_deadline_is_decided_by_the_engines_clock() -> None:
    moment = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    use_clock(lambda: moment)
    try:
        instance = waiting()
        assert instance.next_timer_due() == moment + timedelta(days=7)
        moment += timedelta(days=7)  # due < now, strictly
        instance.refresh_timers()
        instance.run()
        assert not instance.completed
        moment += timedelta(seconds=1)
        instance = saved_and_restored(instance)
        instance.refresh_timers()
        instance.run()
        assert instance.completed and instance.data["outcome"] == "DECLINED_LATE"
        assert not instance.deliver_message("card_decision", "APP-abcdefgh", {"decision": "APPROVED"})
    finally:
        use_clock(lambda: datetime.now(UTC))
