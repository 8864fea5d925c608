"""MQTT for centre staff: durable outbox, paho client, embedded broker, commands, discovery, queue bridge."""
