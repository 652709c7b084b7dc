"""One module per metric, on plain values (no models): `outcome` (right / wrong shown / refused, and the replies
before verification), `answer` (match and token F1), `retrieval` (hit@k, MRR, MAP, all@k) and `stats` (means,
percentiles, balanced accuracy). Formulas are in the docstrings and in docs/evaluation.md."""
