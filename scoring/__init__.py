"""Innovation index (혁신성 지수): schemes, aggregation across evaluators, reliability, validity."""
