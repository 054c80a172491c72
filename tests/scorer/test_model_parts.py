"""The scorer's model parts on hand-computed inputs: loss, pair heads,
embedding terms, the siamese model's symmetry, the encoder's masking."""

from __future__ import annotations

import math

import pytest
import torch

from seqsim.scorer.encoder import SequenceEncoder
from seqsim.scorer.head import CosineHead, PairHead, embedding_terms, same_class_probability
from seqsim.scorer.loss import pair_loss


def test_loss_matches_hand_computed_cross_entropy():
    logits = torch.tensor([2.0, -1.0, 0.0])
    labels = torch.tensor([1.0, 0.0, 1.0])
    sigmoid = [1 / (1 + math.exp(-x)) for x in (2.0, -1.0, 0.0)]
    terms = [-math.log(sigmoid[0]), -math.log(1 - sigmoid[1]), -math.log(sigmoid[2])]
    assert float(pair_loss(logits, labels)) == pytest.approx(sum(terms) / 3, rel=1e-6)
    weighted = (3 * terms[0] + terms[1] + 3 * terms[2]) / 3
    assert float(pair_loss(logits, labels, positive_weight=3.0)) == pytest.approx(weighted)


def test_embedding_terms_are_symmetric_and_hand_checked():
    a = torch.tensor([[0.6, 0.8]])
    b = torch.tensor([[1.0, 0.0]])
    terms = embedding_terms(a, b)
    assert torch.allclose(terms, torch.tensor([[0.6, 0.4, 0.8, 0.6, 0.0]]))
    assert torch.equal(embedding_terms(b, a), terms)


def test_heads_give_one_logit_per_pair_and_cosine_head_is_linear_in_cos():
    torch.manual_seed(0)
    a = torch.nn.functional.normalize(torch.randn(5, 8), dim=-1)
    b = torch.nn.functional.normalize(torch.randn(5, 8), dim=-1)
    features = torch.randn(5, 3)
    head = PairHead(17, 3, hidden=16)
    assert head(embedding_terms(a, b), features).shape == (5,)
    assert torch.allclose(
        head(embedding_terms(a, b), features), head(embedding_terms(b, a), features)
    )
    cosine = CosineHead()
    expected = 10.0 * (a * b).sum(-1) - 5.0
    assert torch.allclose(cosine(a, b, features), expected)


def test_same_class_probability_is_hand_checked():
    # p_a = (0.5, 0.5), p_b = (0.2, 0.8) -> 0.5 * 0.2 + 0.5 * 0.8 = 0.5
    a = torch.tensor([[0.0, 0.0]])
    b = torch.tensor([[0.0, math.log(4.0)]])
    assert same_class_probability(a, b).item() == pytest.approx(0.5)
    assert same_class_probability(b, b).item() == pytest.approx(0.2**2 + 0.8**2)


def test_siamese_model_terms_are_symmetric():
    from seqsim.scorer.model import HomologyScorer

    torch.manual_seed(0)
    description = {
        "kind": "siamese", "hidden": 8, "n_classes": 3, "head_terms": "full",
        "encoder": {"embed_dim": 4, "channels": 8, "kernel_size": 3, "dilations": [1],
                    "output_dim": 6},
    }  # fmt: skip
    model = HomologyScorer(description, 24, 2)
    a = torch.nn.functional.normalize(torch.randn(4, 6), dim=-1)
    b = torch.nn.functional.normalize(torch.randn(4, 6), dim=-1)
    features = torch.randn(4, 2)
    assert model.pair_terms(a, b).shape == (4, 1 + 1 + 12)
    assert torch.allclose(model.pair_logits(a, b, features), model.pair_logits(b, a, features))


def test_encoder_ignores_padding_and_gives_unit_vectors():
    torch.manual_seed(0)
    encoder = SequenceEncoder(n_codes=24, embed_dim=8, channels=16, dilations=(1, 2))
    encoder.eval()
    pad = encoder.pad_code
    codes = torch.tensor([[1, 2, 3, 4, pad, pad, pad], [5, 6, 7, 8, 9, 10, 11]])
    alone = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        batch = encoder(codes)
        single = encoder(alone)
    assert torch.allclose(batch[0], single[0], atol=1e-5)
    assert torch.allclose(batch.norm(dim=-1), torch.ones(2))


def test_profile_encoder_reads_each_sequences_own_profile_rows():
    """``encode`` gathers the profile rows of each sequence's own residues:
    padding and other sequences' rows change nothing, its own rows do."""
    import numpy as np

    from seqsim.errors import ConfigError
    from seqsim.scorer.embedding import encode

    from conftest import make_store

    torch.manual_seed(0)
    store = make_store(["ACDE", "FGHIKLMNPQ", "RSTVW"], "protein")
    n_codes = int(store.codes.max()) + 5
    encoder = SequenceEncoder(n_codes, channels=16, dilations=(1, 2), profile_columns=n_codes)
    encoder.eval()
    rng = np.random.default_rng(1)
    profile = rng.integers(-4, 12, size=(store.codes.size, n_codes)).astype(np.int8)
    with torch.no_grad():
        batch = encode(encoder, store, np.array([0, 1]), profile)
        alone = encode(encoder, store, np.array([0]), profile)
        assert torch.allclose(batch[0], alone[0], atol=1e-5)
        assert torch.allclose(batch.norm(dim=-1), torch.ones(2))
        others = profile.copy()
        others[store.offsets[2] :] = 0  # the third sequence's rows only
        assert torch.equal(encode(encoder, store, np.array([0, 1]), others), batch)
        own = profile.copy()
        own[store.offsets[0]] += 3  # the first residue of the first sequence
        changed = encode(encoder, store, np.array([0, 1]), own)
        assert not torch.allclose(changed[0], batch[0]) and torch.equal(changed[1], batch[1])
    with pytest.raises(ConfigError, match="profiles from the set's own hits"):
        encode(encoder, store, np.array([0]), None)


def test_encoder_inputs_are_checked_and_old_checkpoints_read_residues():
    from seqsim.scorer.model import HomologyScorer, description_problem

    encoder = {"embed_dim": 4, "channels": 8, "kernel_size": 3, "dilations": [1], "output_dim": 6}
    description = {"kind": "siamese", "hidden": 8, "n_classes": 0, "head_terms": "summary"}
    assert description_problem(description | {"encoder": encoder}) is None
    old = HomologyScorer(description | {"encoder": encoder}, 24, 2)
    assert old.encoder.profile_columns == 0 and hasattr(old.encoder, "embed")
    profile = HomologyScorer(description | {"encoder": encoder | {"inputs": "profile"}}, 24, 2)
    assert profile.encoder.profile_columns == 24 and not hasattr(profile.encoder, "embed")
    problem = description_problem(description | {"encoder": encoder | {"inputs": "pickle"}})
    assert problem is not None and problem.startswith("'model.encoder.inputs' must be one of")
