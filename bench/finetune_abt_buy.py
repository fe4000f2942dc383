"""Fine-tuning gain on unseen products: Abt-Buy, then the same recipe on Walmart-Amazon.

    .venv/bin/python bench/finetune_abt_buy.py                   # develop: valid split
    .venv/bin/python bench/finetune_abt_buy.py --split test      # report (once)
    .venv/bin/python bench/finetune_abt_buy.py --dataset walmart-amazon --split test
    .venv/bin/python bench/finetune_abt_buy.py --self-supervised --split test

Training data: only the positives of pairs_train.csv (row numbers in Abt/Buy for
abt-buy; walmart/amazon ids for walmart-amazon), through core.finetune.finetune with its
default settings (the recipe) and its automatic validation hold-out, called as
``python -m core finetune`` calls it: the two shops are one catalog (title/name column),
every row is searched for hard negatives and the held-out lists (since issue 16 round 2;
before, the right shop only). Queries: left
products of the chosen split that never occur in a positive training pair (for the
valid split, also not in the test split), each retrieving among ALL right-side
records on the title/name field; truth = the full gold mapping (abt-buy) or every
known positive pair plus the 1:1 gold subset (walmart-amazon). The zero-shot
baseline is measured in the same run. With --self-supervised no label is used for
training: pairs come from the two catalogs alone (name <-> description, code view,
corrupted name). The default pipeline's Recall@1 (Config().hybrid_weight, dense side =
the model) is printed for the zero-shot model and for the tuned one at the old weight
and at the weight finetune chose again on its held-out training pairs.

Two "default pipeline" figures: the query set (hybrid_topk over the right shop, no
same-product evidence; the figures up to issue 16 round 1) and the catalog lists (the
two shops searched as one catalog by NeighborIndex.build with the texts: same-product
evidence on, the model's calibration.json and card weight; R@1 = the first entry of the
query's 10-list from the other shop is a true match), what the checker measures
through the CLI. The zero-shot model uses the bundled calibration and weight 0.7.

Query sets (abt-buy): the 470 gold Abt products that never occur in a positive
training pair split into valid (121: those not in pairs_test.csv) and test (349).
An older definition (Abt rows listed in pairs_valid.csv only: 97 queries, zero-shot
0.753) was easier and is not used.

Measured 2026-11-27 with the defaults (4 epochs, lr 1e-4, batch 32, 1 mined hard
negative per pair with false-negative filter, frozen word embeddings), 2-core CPU
shared with other jobs (load 4-8, this job at higher CPU priority):
  abt-buy valid: dense R@1 0.686 -> 0.835 (hybrid 0.860 -> 0.876), 186 s training
  abt-buy test:  dense R@1 0.665 -> 0.851 (hybrid 0.862 -> 0.911), 179 s training
  walmart-amazon test: dense R@1 0.608 -> 0.749 (hybrid 0.718 -> 0.757), 173 s
  self-supervised (no label used), abt-buy valid: 0.686 -> 0.826, 682 s
  self-supervised (no label used), abt-buy test:  0.665 -> 0.814 (hybrid 0.914), 683 s
The hybrid figures above use the earlier default (weight 0.55, channels anchored at
the query's best score). Rerun 2026-11-28 with the ceiling-anchored default (0.7):
  abt-buy test:  dense 0.665 -> 0.851 (same), hybrid 0.865 -> 0.911, 166 s training
  walmart-amazon test: dense 0.608 -> 0.749 (same), hybrid 0.714 -> 0.753, 161 s
Issue 16 (2026-12-03, bf16 autocast, length cap, hard negatives from the fused lists,
the hybrid weight chosen again on the held-out training pairs; load 14-16):
  abt-buy valid: pipeline 0.868 -> 0.893 at 0.7, 0.876 at the chosen 0.8; 270 s
  abt-buy test:  pipeline 0.865 -> 0.905 at 0.7, 0.908 at the chosen 0.8 (+0.043);
                 model alone 0.665 -> 0.840; 389 s
  walmart-amazon test: pipeline 0.714 -> 0.733 at 0.7, 0.737 at the chosen 0
                 (meaning only, +0.024); model alone 0.608 -> 0.737; 276 s
The default went back to the model's own negatives afterwards (valid evidence: the
model alone weaker with fused-list negatives; see core/finetune/settings.py).
Issue 16 round 2 (2026-12-03, same-product evidence in the lists as on main fdf3557,
finetune as the CLI runs it, evidence weights kept bundled below 200 held-out products,
weight moved only for a lead worth one held-out query; load 1-2). Catalog lists
(evidence on), R@1, zero-shot -> tuned:
  abt-buy valid:  0.893 -> 0.917 (+0.025, weight 0.7); query set 0.868 -> 0.893
  walmart-amazon valid: 0.612 -> 0.647 (+0.035, weight 0.4); query set 0.607 -> 0.637
  abt-buy test:   0.920 -> 0.931 (+0.011, weight 0.7); query set 0.865 -> 0.908;
                  model alone 0.665 -> 0.868; 62 s job
  walmart-amazon test: 0.722 -> 0.761 (+0.039, weight 0.4); query set 0.714 -> 0.741;
                  model alone 0.608 -> 0.749; 179 s job (weight choice 57 s, 24.6k rows)
(Before main's evidence refit, same code: abt-buy test 0.917 -> 0.926, walmart-amazon
test 0.745 -> 0.769.)
Tried on valid before main's evidence refit and not kept (catalog lists R@1, abt-buy):
evidence weights refitted on the 61 held-out products 0.876 at 0.7 / 0.893 at the chosen
0.2 (walmart-amazon: 0.622 / 0.642, a tie); hard negatives from the evidence-ranked
lists 0.917 at 0.7 (same; model alone 0.826 -> 0.843); 8 epochs 0.917 at 0.7 (same);
evidence weights fitted on the training pairs' own lists: the fit finds none (their
twins lead every list).
Issue 16 round 3 (2026-12-03): a tuned re-ranker (cross-encoder from the bundled MiniLM,
trained on the training pairs and list negatives, blended with the list score on the
job's held-out products; bench/finetune_reranker.py). Catalog lists R@1, valid: abt-buy
0.917 tuned -> 0.909 with it; walmart-amazon 0.647 -> 0.667 (+0.020, 4 queries; 4 epochs:
0.657); its blend lost on its own held-out products; training 470-1,024 s on top of the
job and 40-150 pairs/s at list time. Not integrated (see that script's verdict).
Rerun with the calibration fitted on train + valid (bench/score_quality.py --fit, main
095f126; same recipe), catalog lists R@1, zero-shot -> tuned:
  abt-buy valid: 0.893 -> 0.917 (+0.025, weight 0.7); test: 0.917 -> 0.931 (+0.014); 69 s job
  walmart-amazon valid: 0.602 -> 0.652 (+0.050, weight 0.4); test: 0.718 -> 0.753 (+0.035);
  model alone 0.608 -> 0.749; 184 s job
Rerun with the relatedness gate and its refit (main abc55a1; same recipe):
  abt-buy valid: 0.884 -> 0.909 (+0.025, weight 0.7); test: 0.917 -> 0.931 (+0.014); 68 s job
  walmart-amazon valid: 0.587 -> 0.652 (+0.065, weight 0.4); test: 0.722 -> 0.753 (+0.031);
  model alone 0.608 -> 0.749; 178 s job
Issue 16 round 4 (2026-12-03, branch issue-16d): more training signal from the catalog
itself, valid only, one run at a time (load 1.3-2.7). Self-training = the option
FinetuneSettings.pseudo_pairs / pseudo_threshold (``--confident-pairs N
--confident-threshold T`` on the CLI, core/finetune/pseudo.py): mutual first entries
of the zero-shot default lists scored >= T, at most N, none touching a held-out product.
    .venv/bin/python bench/finetune_abt_buy.py [--dataset walmart-amazon]   # current
    ... --with-views 2000                                                  # (a)
    ... --set pseudo_pairs=2000 --set pseudo_threshold=0.9                 # (b)
    ... --with-views 2000 --set pseudo_pairs=2000 --set pseudo_threshold=0.9   # (a)+(b)
Catalog lists R@1 (zero-shot 0.884 abt-buy, 0.587 walmart-amazon) with the tuned model,
model alone R@1 (zero-shot 0.686 / 0.458), whole job:
  abt-buy  current 0.909, alone 0.826, 63 s | views 2000: 0.909, 0.868, 239 s |
           views 4000 (2,171 views: every row): 0.909, 0.835, 209 s |
           confident 0.9 (262 pairs, 239 across the shops, all true): 0.893, 0.851, 96 s |
           views 2000 + confident 0.9: 0.909, 0.843, 244 s |
           confident 0.9, 8 epochs (--set epochs=8): 0.901, 0.835, 166 s
  walmart  current 0.652 (weight 0.4), alone 0.592, 193 s | views 2000: 0.657 (0.3), 0.617,
           333 s | confident 0.9 (1,699 pairs, only 155 across the shops, 132 of 140
           gradable true; the rest same-shop near-twins): 0.647 (0.3), 0.617, 401 s |
           views 2000 + confident 0.9 (4,189 pairs): 0.627 (0.5), 0.607, 598 s |
           confident 0.9, 8 epochs: 0.632 (0.4), 0.612, 614 s (held-out R@1 0.648)
Verdict: NO-GO (needs +0.02 on both, or +0.03 on one and no loss on the other): the
model alone gains up to +0.04 (abt-buy views) / +0.025 (walmart-amazon), the lists do
not follow (abt-buy's 11 misses stay; walmart-amazon +-1 query of 201, -5 with both,
-4 with confident pairs over 8 epochs), for 1.5-3x the job time. The job's held-out
check agrees (walmart-amazon R@1 0.685 with and without confident pairs at 4 epochs,
0.648 at 8). The option stays off by default.
Issue 16 round 5 (2026-12-03, branch issue-16e): the recipe's settings, tuned in November
on the model alone, measured on the catalog lists; valid only, one run at a time under
nice -n 5 (load 2-3.5; abt-buy first, walmart-amazon only for variants within 1 query
of the default on abt-buy). Each variant is one or more ``--set`` of
    .venv/bin/python bench/finetune_abt_buy.py [--dataset walmart-amazon] --set NAME=VALUE
Catalog lists R@1 with the tuned model (zero-shot 0.884 abt-buy, 121 queries; 0.587
walmart-amazon, 201 queries), chosen weight, model alone (zero-shot 0.686 / 0.458), job:
  abt-buy  default 0.909 (0.7), alone 0.826, 72 s (rerun: identical, deterministic) |
           base_mix=0.3 0.893, 0.835 | base_mix=0.5 0.893, 0.835 | batch_size=64 0.893,
           0.826 | batch_size=128 0.893, 0.835 | learning_rate=5e-5 0.893, 0.835 |
           learning_rate=2e-4 0.901, 0.843 | scale=30 0.901, 0.835 | scale=50 0.884, 0.818 |
           freeze_embeddings=false 0.909, 0.826 | scale=30 + freeze_embeddings=false
           0.909, 0.835 | mine_depth=5 0.901, 0.835 | mine_depth=30 0.876, 0.835 |
           batch_size=64 + learning_rate=2e-4 0.893, 0.835 (all at weight 0.7, 56-87 s)
  walmart  default 0.652 (0.4), alone 0.592, 269 s | learning_rate=2e-4 0.637 (0.5), 0.602,
           270 s | scale=30 0.652 (0.3), 0.582, 160 s | freeze_embeddings=false 0.652 (0.4),
           0.587, 185 s | scale=30 + freeze_embeddings=false 0.652 (0.3), 0.582, 194 s |
           mine_depth=5 0.627 (0.3), 0.567, 172 s
Verdict: NO-GO (needs +0.02 on both, +0.03 on one and no loss on the other, or the model
alone +0.04 on both with no list loss): no variant beats the default lists on either
catalog (best: ties; WiSE-FT base_mix, bigger batches and lr 5e-5 lose 2 abt-buy
queries), the model alone moves by at most +0.017 / +0.010 (lr 2e-4, which loses 3
walmart-amazon queries). The November recipe stays the default.
Issue 16 round 6 (2026-12-03, main 4062d47, valid; the default recipe's models kept with
--save): (a) is the weight choice what holds the lists back? Catalog lists R@1 of the
saved tuned model at every weight of the grid (w = 0, 0.1, ..., 1):
  abt-buy   zero-shot .678 .835 .843 .851 .860 .860 .876 .884 .876 .876 .876
            tuned     .826 .876 .884 .893 .893 .901 .901 .909 .893 .893 .876  (chosen 0.7)
  walmart   zero-shot .458 .572 .582 .572 .577 .582 .592 .587 .597 .592 .552
            tuned     .592 .652 .657 .657 .652 .642 .627 .612 .597 .572 .552  (chosen 0.4)
The job's choice (on its 61 / 54 held-out training products) is within one query of the
best weight on the unseen queries (abt-buy 0.909 = best, walmart-amazon 0.652 vs 0.657):
the weight is not the gap. (b) an output-space ensemble (each product's zero-shot and
tuned vectors concatenated, sqrt(m) and sqrt(1-m) weighted, i.e. cosine = m x zero-shot +
(1-m) x tuned), m = 0.25 / 0.4, weights 0.2-0.7: abt-buy best 0.901 / 0.901 (tuned alone
0.909), walmart-amazon best 0.657 / 0.637 (0.657): no gain, for twice the embedding
time. (c) of walmart-amazon's 70 missed queries (tuned, weight 0.4), the labelled match
is 2nd or 3rd in 29 of the lists; many of the rest are labels no text supports (e.g. a gold match
from another brand, or a one-word generic title). (d) more passes only where validation
says so (``--set select_epoch=true --set epochs=8``: the held-out lists after every pass,
the best kept, stop at the first pass without gain): abt-buy kept 5 passes, 0.893 (-2
queries against the default's 0.909), 275 s job; walmart-amazon stopped after 6 and kept
4 (the default's), 0.652 at weight 0.3, 645 s job (3.3x). Verdict: no lever left on these
catalogs; (a)-(c) ran from /work-only prototype scripts (not kept), (d) is this script.
Issue 16 round 7 (2026-12-04, main f06da73, valid): are the bundled same-product evidence
weights (fitted on zero-shot lists) what holds the tuned lists back? Crossfit: the training
pairs split by left product into 2 folds, a model tuned on each fold's complement, the
held-out fold's lists (its products and their labelled matches, across the shops, without
evidence) give 5,700 entries (1,200 twins) per catalog, evidence weights fitted on them
(fit_evidence_weights) and used with the model tuned on every pair. Catalog lists R@1,
bundled evidence / crossfit evidence: abt-buy at 0.3 / 0.5 / 0.7: 0.893 / 0.884,
0.901 / 0.893, 0.909 / 0.901 (weights came out 2.5-5x larger: closeness 4.25, margin
6.13); walmart-amazon at 0.3 / 0.4 / 0.5 / 0.7: 0.657 / 0.647, 0.652 / 0.642, 0.642 /
0.647, 0.612 / 0.622 (weights 2-3x smaller). Without evidence: 0.901 / 0.642. Verdict:
NO-GO (a weight-for-weight tie or a loss of one or two queries, for two extra training
runs); the bundled weights stay. Prototype: a /work-only script (not kept), 122 s
(abt-buy) and 655 s (walmart-amazon) on 2 cores.
Rerun 2026-12-05 on another machine (Intel Xeon with AMX, 2 cores, load 1.5-2), valid:
  abt-buy: catalog lists 0.884 -> 0.901 (weight 0.7; 0.909 on the earlier machine, one
           query of 121), model alone 0.686 -> 0.826; training 44 s in bf16, 85 s with
           --set 'precision="fp32"' (same figures: 0.826 alone, 0.901 lists); 57 s job
  walmart-amazon: 0.587 -> 0.652 (weight 0.4), model alone 0.458 -> 0.592; training 37 s,
           176 s job (choosing the weight 67 s)
  LoRA (--set lora=true), abt-buy: catalog lists 0.893 (query set 0.868 against 0.893),
           training 86 s: weaker and slower than full fine-tuning. Not kept.
  After the series conflict of the same-product evidence (main 3b8422b): valid unchanged
  (abt-buy 0.884 -> 0.901, walmart-amazon 0.587 -> 0.652); test, catalog lists:
  abt-buy 0.917 -> 0.931 (+0.014, weight 0.7), model alone 0.665 -> 0.868, 65 s job;
  walmart-amazon 0.722 -> 0.757 (+0.035, weight 0.4; 0.753 before), model alone 0.608 ->
  0.749, 229 s job.
  After the codes common in the reference catalogs and the refit (main 42b46b5, 2026-12-06,
  valid, load 2.9-4.5 beside a test run): abt-buy 0.884 -> 0.909 (+0.025, weight 0.7; one
  query more than before), model alone 0.686 -> 0.826, 88 s job; walmart-amazon 0.587 ->
  0.652 (+0.065, weight 0.4, unchanged), model alone 0.458 -> 0.592, 429 s job.
Issue 16, 2026-12-06 (valid, load 1.9-2.1): walmart-amazon with its modelno column mapped
as the model number (``--model-numbers lists|all``; the catalog lists compare it since
issue 13):
  lists: only the catalog lists measured read it (fine-tuning did before): catalog lists
         0.786 -> 0.841 (+0.055, weight 0.4), model alone 0.458 -> 0.592, 263 s job
  all:   fine-tuning reads it too (hard negatives, weight choice, evidence and calibration
         fitted on the held-out lists as the catalog's lists make them; the CLI and the
         app pass the mapped column): 0.786 -> 0.836 (+0.050, weight 0.3; one query of 201
         less), model alone 0.592 (same), 203 s job. A tie in ranking; kept because the
         calibration is fitted on the lists it is used for.
  test, all (once): catalog lists 0.835 -> 0.851 (+0.016, weight 0.3; 0.851 at 0.7 too),
         model alone 0.608 -> 0.749, 219 s job. With the model numbers compared the
         zero-shot lists are already strong (0.835 against 0.722 on titles alone), and
         what fine-tuning adds to the lists is smaller.
Issue 16 round 8 (2026-12-06, main 114aa32, valid, load 1.3-2.1): training that complements
the words channel. Each training pair's loss weighted 1 + alpha where the words alone
(a word TF-IDF over the corpus rows) do not rank its twin first (271 of 554 pairs on
abt-buy, 188 of 519 on walmart-amazon), so that the model learns what the words miss; a
/work-only prototype patching core.finetune.train._step_loss (not kept). Catalog lists R@1,
default recipe / alpha 1 / alpha 3: abt-buy 0.909 / 0.917 / 0.917 (one query of 121;
model alone 0.826 in all three); walmart-amazon 0.652 / - / 0.652 (weight 0.4; model alone
0.592 / - / 0.592). Verdict: NO-GO (the gate of rounds 4-5: +0.02 on both, or +0.03 on one
and no loss on the other); the lists follow neither the words' misses nor the model.
Issue 16 round 9 (2026-12-06, main fb45807, valid, load 0.9-1.8): how much could any way of
combining the channels give? Per query, the first other-shop entry of the catalog lists at
the tuned model's chosen weight, of the tuned model alone (weight 0), of the words alone
(weight 1), and the oracle that takes whichever of the three is right (a /work-only script
over the models kept with --save). abt-buy (121 queries): lists 0.909, model alone 0.826,
words 0.876, oracle 0.917 (one query: no list miss is a model-alone hit). walmart-amazon
(201): lists 0.652, model alone 0.592, words 0.552, oracle 0.711 (7 list misses are
model-alone hits, 6 words-alone hits; 19 list hits are model-alone misses). Even a perfect
per-query choice of channel stays under +0.08 over the zero-shot lists (0.884 / 0.587) on
abt-buy (+0.033) and reaches +0.124 on walmart-amazon only as an oracle; a fusion that
picks the right channel for 12 of 201 queries without losing any is not in sight (rounds
3, 6 and 7 tried learned blends). Verdict: no lever in the combination either.
With prices (2026-12-06, --prices: both shops' price column mapped, as the CLI guesses it;
prices more than twice apart are same-product evidence since then, in the zero-shot lists
and in the tuned model's, whose evidence weights are the bundled priced ones below 200
held-out products), valid, catalog lists R@1: abt-buy 0.884 -> 0.909 (+0.025, weight 0.7),
walmart-amazon 0.587 -> 0.652 (+0.065, weight 0.4): the same as without prices.
Issue 16 round 10 (2026-12-06, valid, beside a test run): train on every training pair (no
held-out tenth; the weight fixed at the one the default job chooses, 0.7; a /work-only
prototype that sets valid_fraction 0 and choose_weight false): abt-buy catalog lists 0.884
-> 0.893 against 0.909 with the held-out tenth. NO-GO on the first catalog (walmart-amazon
not run); the job keeps its held-out part, which also chooses the weight and calibration.
Issue 16 round 11 (2026-12-07, main 073e2c6, valid, --prices): training the words channel
too. A multiplier of each word's weight (idf x exp(theta), theta learned by gradient descent
on the training pairs against their 20 best non-twin list candidates, a softmax over the
words cosine, or over (1 - w) meaning + w words, L2 pull to 1 of strength lam; only words
that 5 or more products name, so that a weight learned on one product's twin reaches
others: colours and brands came out up, "tech", "bonus", "display" down; a /work-only
prototype). Catalog lists R@1, lam 1 / 3 / 10: with the zero-shot model abt-buy 0.884 ->
0.893 / 0.909 / 0.884, walmart-amazon 0.587 -> 0.602 / 0.607 / 0.592, but learned on half
the training pairs and read on the other half's products (2-fold) abt-buy 0.947 -> 0.942 /
0.944 / 0.944 (550 queries), walmart-amazon 0.840 -> 0.833 / 0.848 / 0.842 (486): noise;
with the tuned model (the default recipe, --save) abt-buy 0.909 -> 0.901 / 0.901 / 0.909,
walmart-amazon 0.652 -> 0.647 / 0.642 / 0.647 (0.647 / 0.657 with the fused softmax, lam 1
/ 3). Verdict: NO-GO (no gain over the tuned lists on either catalog); not integrated.
Fine-tuning passes Catalog.price_evidence (None where the price column prices products
with one model number far apart), as the CLI and the app do since then.
Issue 16 round 12 (2026-12-07, --prices, Intel Xeon 2 cores, load 1.3-2.2): a larger model to
train. The packaged multilingual-e5-small (12 layers, 384-d, 250k-token vocabulary) expanded
from its 4-bit weights into a transformers folder (core/embed/expand.py) and trained with the
same recipe; the zero-shot figures stay the bundled MiniLM pipeline's. ``--start-from``
picks the model trained (default: core.finetune.run.start_model, the multilingual copy since
this round). Catalog lists R@1, zero-shot -> tuned (chosen weight), model alone, job:
  valid  abt-buy  MiniLM 0.884 -> 0.909 (0.7), alone 0.686 -> 0.826, training 51 s, job 61 s
                  multilingual 0.884 -> 0.917 (0.7), alone 0.860, training 108 s, job 157 s
                  (the untrained copy's lists: 0.884)
         walmart  MiniLM 0.587 -> 0.652 (0.4), alone 0.458 -> 0.592 (earlier runs)
                  multilingual 0.587 -> 0.687 (0.2; 0.647 at 0.7), alone 0.647, training
                  110 s, job 419 s (the untrained copy's lists: 0.602)
  Verdict on valid: GO (+1 query of 121, +7 of 201): the default start when the lists use a
  bundled model. Test (once):
  test   abt-buy  multilingual 0.917 -> 0.923 (+0.006, weight 0.7; MiniLM 0.931), alone
                  0.665 -> 0.900 (MiniLM 0.868), training 106 s, job 144 s
         walmart  multilingual 0.722 -> 0.769 (+0.047, weight 0.2; MiniLM 0.757), alone
                  0.608 -> 0.718 (MiniLM 0.749), training 106 s, job 446 s (embedding the
                  catalog with the model to train 119 s)
  On test the multilingual start gains 3 of 255 queries on walmart-amazon and loses 3 of 349
  on abt-buy. Issue 16's +0.08 is still not reached on test.
  The learning rate for the multilingual start, valid (``--set learning_rate=...``):
  5e-5: abt-buy 0.917 (the same; alone 0.876), walmart-amazon 0.697 (weight 0.2; +2 queries
  of 201; alone 0.652), 457 s job; 2e-4: abt-buy 0.893 (-3 queries). NO-GO (below +0.02 on
  one catalog with no loss on the other): 1e-4 stays.
Issue 16 round 13 (2026-12-07, --prices, Intel Xeon 2 cores, load 1.4-2.9), the multilingual
start, valid. Catalog lists R@1 (chosen weight), model alone, training:
  passes over the pairs (``--set epochs=N``; the default was 4):
    abt-buy   2: 0.917 (0.7), alone 0.868, 57 s | 4: 0.917, 0.860, 108 s | 6: 0.917, 0.876, 156 s
    walmart   2: 0.692 (0.2), alone 0.652, 52 s | 4: 0.687, 0.647, 110 s | 6: 0.692 (0.3),
              0.657, 163 s
    MiniLM at 2 passes (``--start-from bundled --set epochs=2``): abt-buy 0.893 against 0.909
    at 4 (-2 queries of 121; alone 0.826 both).
  three mined hard negatives per pair instead of one (a /work-only patch of
  core.finetune.negatives.pick_negatives, not kept): abt-buy 0.917, alone 0.860, 157 s;
  walmart-amazon 0.677 (0.3; -2 queries), alone 0.642, 160 s. NO-GO.
  Verdict: the lists are the same at 2, 4 and 6 passes of the multilingual model (+1 query of
  201 at 2), so 2 passes when it is the model trained (core.finetune.settings.default_epochs;
  half its training time); MiniLM keeps 4. Test (once, 2 passes):
  test   abt-buy  0.917 -> 0.920 (+0.003, weight 0.7; 0.923 at 4 passes), alone 0.905,
                  training 59 s, job 103 s
         walmart  0.722 -> 0.776 (+0.055, weight 0.2; 0.769 at 4 passes), alone 0.737 (0.718
                  at 4), training 53 s, job 419 s
  On test, 2 passes against 4: -1 query of 349 on abt-buy, +2 of 255 on walmart-amazon.
  Issue 16's +0.08 is still not reached on test.
Issue 16 round 14 (2026-12-07, --prices, Intel Xeon 2 cores, load 1.9-2.3), valid: hard
negatives mined again after the first pass from the model being trained (ANCE-style refresh;
a /work-only prototype wrapping core.finetune.run.train_model: the catalog re-embedded with
the half-trained model, the first candidate changed for 72% of abt-buy's pairs and 56% of
walmart-amazon's). Catalog lists R@1 (chosen weight), model alone, training:
    abt-buy   0.917 (0.7), alone 0.868, 74 s (the same as without it)
    walmart   0.687 (0.2; -1 query of 201), alone 0.657 (+0.005), 150 s (+100 s re-embedding)
  Verdict: NO-GO (the lists do not move; the walmart-amazon job takes 73 s longer).
Rerun 2026-12-07 after the job kept its vectors in the store (none given here) and compared
the current model at the weight in use only (main b64fa9c), valid: abt-buy 0.917 (0.7), alone
0.868, job 103 s; walmart-amazon 0.692 (0.2), alone 0.652, job 407 s with the phase choosing
the weight 43 s (65 s in the round 14 run above): the figures unchanged.
Issue 16 round 15 (2026-12-07, --prices, Intel Xeon with AMX 2 cores, load 1.4-2.1), valid:
hard negatives from the current model's fused lists (``--set 'negatives_from="lists"'``) with the
multilingual start, to see whether the job could skip embedding the catalog with the model to
train (133 s of the 420 s walmart-amazon job; the false-negative filter still read its vectors in
this run). Catalog lists R@1 (chosen weight), model alone, job:
    abt-buy   0.909 (0.7; -1 query of 121), alone 0.876 (+1), 113 s
    walmart   0.687 (0.2; -1 query of 201), alone 0.657 (+1), 420 s
  Verdict: NO-GO (one query fewer in the lists on both catalogs); the model's own negatives stay,
  and with them the embedding (a second job on the catalog reuses it from the store).
Issue 16 round 16 (2026-12-07, --prices, valid; the default recipe's models kept with --save, lists
0.917 / 0.692 as before): the tuned multilingual model and the zero-shot MiniLM (whose vectors the
store holds from the merchant's first lists) as one meaning channel, each product's two unit vectors
side by side weighted sqrt(1 - m) and sqrt(m) (cosine = (1 - m) tuned + m MiniLM; /work/proto/ens2.py,
not kept). Catalog lists R@1 at words weights 0.1 / 0.2 / 0.3 / 0.5 / 0.7:
    abt-buy   m 0: .917 .917 .917 .917 .917 | 0.15: .926 .926 .917 .917 .909 | 0.3: .934 .926 .926
              .917 .901 | 0.5: .926 .926 .926 .926 .909
    walmart   m 0: .677 .692 .692 .682 .637 | 0.15: .697 .697 .687 .677 .637 | 0.3: .701 .692 .692
              .667 .637 | 0.5: .682 .672 .677 .657 .617
  Verdict: NO-GO: the best cell on each catalog is +2 queries (abt-buy +0.017, walmart-amazon +0.010),
  below the gate (+0.02 on both, or +0.03 on one), found by choosing m and the weight on the unseen
  queries themselves (the job would choose them on 54-61 held-out products), for a second model in
  every list.
Issue 16 round 17 (2026-12-07, --prices, valid): same-side in-batch negatives (each anchor also
against the batch's other anchors, each positive against the other positives, known matches masked;
a /work-only patch of core.finetune.train._batch_loss, /work/proto/sameside.diff, not kept). Catalog
lists R@1 (chosen weight), model alone, training:
    abt-buy   0.917 (0.7; the same), alone 0.868 (the same), 67 s
    walmart   0.692 (0.2; the same), alone 0.667 (+0.015), 52 s
  Verdict: NO-GO (the lists do not move on either catalog).
Issue 16 item 4, 2026-12-07 (Intel Xeon with AMX, 2 cores, load 1.5-2.1, --prices, valid, each
with a fresh ONNX export folder: ``--cold-cache --cpu-engine onnx`` then ``--cold-cache``): the
job embeds and validates through whichever engine "auto" takes on this processor (core.embed.cpu:
torch fp32 on Intel, no ONNX export of the model to train or of the new model). Same figures
(abt-buy lists 0.917, alone 0.868; walmart-amazon 0.692 at weight 0.2, alone 0.652); job:
    abt-buy   ONNX 201 s (preparing 42, embedding 15, validating 45) -> torch 143 s (10, 16, 20)
    walmart   ONNX 530 s (preparing 38, embedding 164, validating 178) -> torch 478 s (9, 150, 165)
  (preparing, the multilingual copy expanded, ran first on a cold disk cache in the ONNX runs;
  without it 159 -> 133 s and 492 -> 469 s), and about 470 MB less disk per kept model.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

# Shared 2-core machine: OpenMP threads that spin while waiting for a descheduled peer
# cost 5-20x wall time under load; sleeping waits change nothing on a quiet machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd
from common import SHARED, retrieval_metrics

from core.catalog.table import ColumnMapping, build_catalog
from core.config import Config
from core.embed.cpu import ENGINE_ENV
from core.embed.encoders import BertEncoder
from core.finetune import FinetuneSettings, finetune
from core.finetune.card import model_defaults
from core.finetune.data import LabelledPairs, build_training_set
from core.finetune.train import train_precision
from core.search.channels import catalog_index
from core.search.exact import topk
from core.search.index import NeighborIndex, hybrid_topk
from core.search.lexical import build_index

K = 10


def load(dataset: str):
    """(left frame, right frame, text column, extra columns, gold {left row: {right rows}})."""
    folder = SHARED / dataset
    if dataset == "abt-buy":
        read = {"encoding": "latin-1", "dtype": str, "keep_default_na": False}
        left, right = pd.read_csv(folder / "Abt.csv", **read), pd.read_csv(folder / "Buy.csv", **read)
        gold_df = pd.read_csv(folder / "abt_buy_perfectMapping.csv", dtype=str)
        pl = {v: i for i, v in enumerate(left["id"])}
        pr = {v: i for i, v in enumerate(right["id"])}
        pairs = [(pl[a], pr[b]) for a, b in zip(gold_df["idAbt"], gold_df["idBuy"])
                 if a in pl and b in pr]
        return left, right, "name", ["description"], pairs, (lambda x: x, lambda x: x)
    read = {"dtype": str, "keep_default_na": False}
    left = pd.read_csv(folder / "walmart.csv", **read)
    right = pd.read_csv(folder / "amazon.csv", **read)
    pl = {int(v): i for i, v in enumerate(left["id"])}
    pr = {int(v): i for i, v in enumerate(right["id"])}
    gold_df = pd.read_csv(folder / "gold_1to1_subset.csv", sep="|")
    pairs = [(pl[int(a)], pr[int(b)]) for a, b in zip(gold_df["D1"], gold_df["D2"])]
    for split in ("train", "valid", "test"):
        s = pd.read_csv(folder / f"pairs_{split}.csv")
        pairs += [(pl[a], pr[b]) for a, b in zip(s.ltable_id[s.label == 1], s.rtable_id[s.label == 1])]
    return left, right, "title", ["brand", "modelno", "category"], pairs, \
        (lambda x: pl[int(x)], lambda x: pr[int(x)])


def split_pairs(dataset: str, split: str) -> pd.DataFrame:
    return pd.read_csv(SHARED / dataset / f"pairs_{split}.csv")


def queries_for(dataset: str, split: str, gold: dict[int, set[int]], to_row) -> list[int]:
    """Left rows with a gold match that never occur in a positive training pair: those of
    the test split (split="test"), or those NOT in the test split (split="valid": the
    development set, disjoint from the test queries)."""
    train = split_pairs(dataset, "train")
    seen = {to_row[0](v) for v in train.ltable_id[train.label == 1]}
    test = {to_row[0](v) for v in split_pairs(dataset, "test").ltable_id}
    rows = test if split == "test" else set(gold) - test
    return sorted(r for r in rows - seen if r in gold)


def evaluate(vectors, texts_l, texts_r, queries, gold, index=None,
             weights: tuple[float, ...] = ()) -> dict[str, float]:
    """Dense Recall@1/@10/MRR; with a lexical index of texts_r, also the pipeline's
    Recall@1 at each of weights (the default Config().hybrid_weight first) as
    "hybrid@1@<weight>". vectors: (len(texts_l) + len(texts_r), d), left rows first."""
    a = vectors[np.asarray(queries, dtype=np.int64)]
    b = vectors[len(texts_l):]
    nb = topk(b, 10, queries=a, exclude_self=False)
    out = retrieval_metrics(nb.indices, [gold[q] for q in queries])
    for w in weights if index is not None else ():
        hb = hybrid_topk(b, index, 10, weight=w, queries=a,
                         query_texts=[texts_l[q] for q in queries])
        out[f"hybrid@1@{w:g}"] = retrieval_metrics(hb.indices,
                                                   [gold[q] for q in queries])["recall@1"]
    return out


def training_data(args, left, right, col, extra, to_row, n_left: int):
    """(catalog of left+right rows, corpus rows, TrainingSet) built by core.finetune.data as
    ``python -m core finetune`` builds them: the two shops are one catalog, every row is
    searched (hard negatives, held-out lists)."""
    extra = [*extra, "price"] if args.prices else extra
    frame = pd.concat([left[[col, *extra]], right[[col, *extra]]], ignore_index=True)
    frame.insert(0, "rid", [f"L{i}" for i in range(len(left))] +
                 [f"R{i}" for i in range(len(right))])
    numbers = "modelno" if args.model_numbers and "modelno" in frame.columns else None
    catalog = build_catalog(frame, ColumnMapping(text_columns=(col,), id_column="rid",
                                                 model_number=numbers,
                                                 price="price" if args.prices else None))
    if args.self_supervised:  # held-out views must find their own row: search every row
        return catalog, np.arange(len(catalog)), build_training_set(
            catalog, None, self_supervised=True, max_self_pairs=args.ss_pairs)
    tr = split_pairs(args.dataset, "train")
    tr = tr[tr.label == 1]
    lp = np.array([to_row[0](v) for v in tr.ltable_id], dtype=np.int64)
    rp = np.array([to_row[1](v) for v in tr.rtable_id], dtype=np.int64) + n_left
    pairs = LabelledPairs(lp, rp, np.ones(len(lp), dtype=np.int8), "pairs_train positives")
    data = build_training_set(catalog, pairs, valid_fraction=FinetuneSettings().valid_fraction,
                              self_supervised=args.with_views > 0,
                              max_self_pairs=max(args.with_views, 1))
    return catalog, np.arange(len(catalog)), data


def catalog_r1(catalog, vectors: np.ndarray, model: str | None, queries: list[int],
               gold: dict[int, set[int]], n_left: int, weight: float | None = None) -> float:
    """The default pipeline's R@1 as a merchant gets it: the two shops searched as one
    catalog (NeighborIndex.build with the catalog's texts: same-product evidence on, the
    model's calibration and, unless weight is given, its own hybrid weight), the first
    entry from the other shop of each query's K-list (none within K: a miss)."""
    cfg = Config(k=K, model=model or "bundled")
    if weight is None:
        cfg = cfg.with_changes(**model_defaults(cfg.model).as_config_changes())
    else:
        cfg = cfg.with_changes(hybrid_weight=weight)
    index = NeighborIndex.build(catalog, vectors, cfg)
    assert index.with_evidence or not index.has("lexical")
    lists = index.pool(K).indices[np.asarray(queries, dtype=np.int64)]
    hits = [next((int(c) - n_left in gold[q] for c in row if c >= n_left), False)
            for q, row in zip(queries, lists)]
    return float(np.mean(hits))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="abt-buy", choices=["abt-buy", "walmart-amazon"])
    ap.add_argument("--split", default="valid", choices=["valid", "test"])
    ap.add_argument("--self-supervised", action="store_true")
    ap.add_argument("--ss-pairs", type=int, default=4000)
    ap.add_argument("--with-views", type=int, default=0,
                    help="add this many self-supervised views to the labelled pairs")
    ap.add_argument("--start-from", help="the model to train (folder, id, 'bundled' or "
                    "'multilingual'; default: finetune's own choice, core.finetune.run."
                    "start_model); the zero-shot figures stay the bundled default pipeline's")
    ap.add_argument("--save", help="also copy the fine-tuned model folder here")
    ap.add_argument("--set", action="append", default=[], help="setting=value (development)")
    ap.add_argument("--model-numbers", choices=["all", "lists"],
                    help="walmart-amazon: map modelno as the model number column; 'all': "
                         "fine-tuning reads it too (as the CLI and the app do), 'lists': only "
                         "the catalog lists measured (fine-tuning before it could)")
    ap.add_argument("--prices", action="store_true",
                    help="map both shops' price column (the lists and fine-tuning read prices "
                         "as the CLI does when a catalog has one)")
    ap.add_argument("--cpu-engine", choices=["auto", "onnx", "torch"], default="auto",
                    help="how 'auto' precision embeds on a CPU: its run-time choice "
                         "(core.embed.cpu), or ONNX Runtime / torch fp32 on any processor")
    ap.add_argument("--cold-cache", action="store_true",
                    help="ONNX exports in a fresh folder ($CATSIM_CACHE), as a first job makes them")
    args = ap.parse_args()
    if args.cpu_engine != "auto":
        os.environ[ENGINE_ENV] = args.cpu_engine
    if args.cold_cache:
        os.environ["CATSIM_CACHE"] = tempfile.mkdtemp(prefix="catsim-cache-")
    changes = {k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)}
    settings = replace(FinetuneSettings(keep="always"), **changes)
    left, right, col, extra, gold_pairs, to_row = load(args.dataset)
    gold: dict[int, set[int]] = {}
    for a, b in gold_pairs:
        gold.setdefault(a, set()).add(b)
    queries = queries_for(args.dataset, args.split, gold, to_row)
    catalog, corpus, data = training_data(args, left, right, col, extra, to_row, len(left))
    texts = catalog.texts
    tl, tr = texts[:len(left)], texts[len(left):]
    base = BertEncoder()
    default = Config().hybrid_weight
    index = build_index(tr)
    t = time.perf_counter()
    base_vectors = base.encode(texts)
    zero = evaluate(base_vectors, tl, tr, queries, gold, index, (default,))
    zero["catalog"] = catalog_r1(catalog, base_vectors, None, queries, gold, len(tl))
    print(f"{args.dataset} {args.split}: {len(queries)} unseen queries vs {len(tr)} "
          f"records; zero-shot: model alone R@1 {zero['recall@1']:.3f} R@10 "
          f"{zero['recall@10']:.3f} MRR {zero['mrr']:.3f}; default pipeline (weight "
          f"{default:g}): query set R@1 {zero[f'hybrid@1@{default:g}']:.3f}, catalog lists "
          f"(evidence on) R@1 {zero['catalog']:.3f} ({time.perf_counter() - t:.0f} s)",
          flush=True)
    if settings.pseudo_pairs > 0:
        _confident_check(catalog, data, base_vectors, settings, gold, len(tl))
    cpu0, wall0 = _cpu(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        res = finetune(texts, data, corpus_rows=corpus, settings=settings, out=Path(tmp) / "ft",
                       base_vectors=base_vectors, start_from=args.start_from, hybrid_weight=default,
                       words=catalog_index(catalog), status=lambda m: print(f"  [{m}]", flush=True),
                       model_numbers=catalog.model_numbers() if args.model_numbers == "all"
                       else None, prices=catalog.price_evidence())
        cpu, wall = _cpu() - cpu0, time.perf_counter() - wall0
        chosen = res.weight_choice.weight if res.weight_choice else default
        tuned_encoder = BertEncoder(res.folder)
        tuned_vectors = tuned_encoder.encode(texts)
        engine = tuned_encoder.precision  # what "auto" ran as on this CPU
        tuned = evaluate(tuned_vectors, tl, tr, queries, gold, index,
                         tuple(dict.fromkeys((default, chosen))))
        tuned["catalog"] = catalog_r1(catalog, tuned_vectors, str(res.folder), queries, gold,
                                      len(tl))
        tuned["catalog_default"] = catalog_r1(catalog, tuned_vectors, str(res.folder), queries,
                                              gold, len(tl), default)
        if args.save:
            shutil.copytree(res.folder, args.save, dirs_exist_ok=True)
    _report(res, zero, tuned, default, chosen, res.train_pairs)
    print(f"training {res.train_seconds:.0f} s wall ({res.epochs_run} epochs, precision "
          f"{train_precision(res.settings, 'cpu')}, length cap {res.settings.max_tokens}); "
          f"embedding with precision {engine}; "
          f"phases {json.dumps({k: round(v) for k, v in res.phase_seconds.items()})}; whole "
          f"job {wall:.0f} s wall, {cpu:.0f} s CPU (process); load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _report(res, zero: dict, tuned: dict, default: float, chosen: float, pairs: int) -> None:
    z = zero[f"hybrid@1@{default:g}"]
    print(f"fine-tuned ({pairs} pairs, {res.steps} steps): model alone R@1 "
          f"{tuned['recall@1']:.3f} R@10 {tuned['recall@10']:.3f} MRR {tuned['mrr']:.3f} "
          f"(gain {tuned['recall@1'] - zero['recall@1']:+.3f})")
    for w, label in ((default, "old weight"), (chosen, "weight chosen on held-out training pairs")):
        r = tuned[f"hybrid@1@{w:g}"]
        print(f"  default pipeline with the tuned model, {label} {w:g}: R@1 {r:.3f} "
              f"(gain over the zero-shot pipeline {r - z:+.3f})")
    z, c = zero["catalog"], tuned["catalog"]
    print(f"  catalog lists (both shops as one catalog, evidence on, first other-shop entry): "
          f"zero-shot R@1 {z:.3f}; tuned, its calibration, weight {chosen:g}: R@1 {c:.3f} "
          f"(gain {c - z:+.3f}); tuned at weight {default:g}: {tuned['catalog_default']:.3f}")
    for note in res.notes:
        print(f"  {note}")
    print(f"internal validation ({res.before.queries} held-out): MRR {res.before.mrr:.3f} -> "
          f"{res.after.mrr:.3f}, R@1 {res.before.recall_at_1:.3f} -> {res.after.recall_at_1:.3f}")


def _confident_check(catalog, data, vectors, settings, gold, n_left: int) -> None:
    """Diagnostic only (gold never reaches training): how many of the confident pairs the
    job will add join the two shops, and how many of those are known true matches."""
    from core.finetune.pseudo import confident_pairs, held_out_rows
    from core.search.calibration import calibration_for

    extra = confident_pairs(catalog.texts, vectors, np.arange(len(catalog)),
                            catalog_index(catalog), weight=Config().hybrid_weight,
                            metric="cosine", calibration=calibration_for(None),
                            threshold=settings.pseudo_threshold, cap=settings.pseudo_pairs,
                            exclude=held_out_rows(data.valid), known=data.known)
    pairs = [tuple(sorted((int(a), int(b)))) for a, b in zip(extra.anchor_rows, extra.positive_rows)]
    cross = [(a, b - n_left) for a, b in pairs if a < n_left <= b]
    graded = [(a, b) for a, b in cross if a in gold]
    true = sum(b in gold[a] for a, b in graded)
    print(f"confident pairs (score >= {settings.pseudo_threshold:g}, cap {settings.pseudo_pairs}): "
          f"{len(pairs)}, {len(cross)} across the shops; {true} of the {len(graded)} with a "
          f"gold left product are true matches", flush=True)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if __name__ == "__main__":
    main()
