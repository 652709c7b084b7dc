"""The evaluation package behind `rag eval` and `rag bench`, on `rag`'s public API only: a sample record
(`eval.sample`), one module per metric (`eval.metrics`), an adapter per data set (`eval.datasets`), one runner
writing answers.jsonl (`eval.runner`) and results.json + report.html (`eval.report`), the llama-index peer
(`eval.peer`), `rag eval grade|checker|sweep|report`, and the benchmarks (`eval.bench`)."""
