"""The grounding evaluation suite behind `rag eval`: question sets, metrics, the checker's accuracy, reports."""
