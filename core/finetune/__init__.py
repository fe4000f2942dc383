"""Fine-tuning a BERT model on the shop's own products: training data and the trainer."""
