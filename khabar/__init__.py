"""khabar: streaming news ingestion (feeds -> Kafka -> Faust -> Elasticsearch)."""

__version__ = "0.1.0"
