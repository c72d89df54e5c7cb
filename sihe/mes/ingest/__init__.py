"""Telemetry ingest of `sihe collect`: MQTT (plain JSON and Sparkplug B 3.0) and OPC UA subscriptions,
fed through one queue to one worker thread that owns the `sihe.mes.telemetry.Processor` (and its
database connection)."""
