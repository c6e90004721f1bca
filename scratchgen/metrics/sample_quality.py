"""What the shipped MNIST classifier (scratchgen/models/classifier.py) says about a set of images.

    classifier_report             features, confidence and class coverage of a set of images
    frechet_classifier_distance   Frechet distance between classifier features (an "FID for MNIST")
    floor_report                  the same numbers for real data against real data: the best a
                                  perfect generator can expect (``python -m scratchgen.metrics --floor``)
    image_quality                 the numbers the training runs log for generated images
"""
import numpy

import autograd
from autograd.backend import to_numpy

from .distances import frechet_distance

_CLASSIFIER = None


def get_classifier():
    """The shipped MNIST classifier (loaded once, then cached), in eval mode."""
    global _CLASSIFIER
    if _CLASSIFIER is None:
        from scratchgen.models.classifier import load_classifier
        _CLASSIFIER = load_classifier()[0]
    return _CLASSIFIER


def _checked_images(images):
    """(N, 1, 28, 28) or (N, 28, 28), floats in [0, 1] or uint8 -> float32 (N, 1, 28, 28)."""
    from scratchgen.models.classifier import as_image_batch
    if isinstance(images, autograd.Tensor):
        images = to_numpy(images.array)
    images = numpy.asarray(images)
    if images.dtype != numpy.uint8 and images.size:
        low, high = float(images.min()), float(images.max())
        if low < -1e-3 or high > 1 + 1e-3:
            raise ValueError(f"expected images in [0, 1], got values in [{low:.3g}, {high:.3g}]; "
                             f"a tanh generator's output in [-1, 1] needs (x + 1) / 2 first")
    return as_image_batch(images)


def classifier_report(images, classifier=None, batch_size=500):
    """What the shipped classifier sees in a set of images (N, 1, 28, 28) in [0, 1] (or uint8).

    Returns a dict:
        features         (N, 128) penultimate-layer features (float64)
        predictions      (N,) predicted digits
        confidence       mean over images of max_c softmax(logits)_c: high when the digits are clear
        class_shares     (10,) share of images predicted as each digit (sums to 1)
        classes_covered  number of digits with a share of at least 5%
        class_entropy    entropy of class_shares in nats; log(10) = 2.303 when perfectly balanced
                         (mode collapse shows as fewer classes covered and a lower entropy)
    """
    from scratchgen.models.classifier import predict_logits_and_features
    model = classifier if classifier is not None else get_classifier()
    logits, features = predict_logits_and_features(model, _checked_images(images), batch_size)
    if len(logits) == 0:
        raise ValueError("classifier_report: no images")
    log_probs = logits - logits.max(axis=1, keepdims=True)
    log_probs -= numpy.log(numpy.exp(log_probs).sum(axis=1, keepdims=True))
    predictions = logits.argmax(axis=1)
    shares = numpy.bincount(predictions, minlength=10) / len(predictions)
    nonzero = shares[shares > 0]
    return {
        "features": features,
        "predictions": predictions,
        "confidence": float(numpy.exp(log_probs.max(axis=1)).mean()),
        "class_shares": shares,
        "classes_covered": int((shares >= 0.05).sum()),
        "class_entropy": float(-(nonzero * numpy.log(nonzero)).sum()),
    }


def frechet_classifier_distance(generated, reference, classifier=None):
    """Frechet distance between the classifier's penultimate features of two image sets.

    generated, reference: images (N, 1, 28, 28) in [0, 1] (uint8 (N, 28, 28) is accepted
    too).  Lower is better; the floor for a perfect generator, from real images against
    real images, is printed by ``python -m scratchgen.metrics --floor``.  Use the same
    number of generated images as the floor's (10,000) when comparing with it.
    """
    model = classifier if classifier is not None else get_classifier()
    features_generated = classifier_report(generated, model)["features"]
    features_reference = classifier_report(reference, model)["features"]
    return frechet_distance(features_generated, features_reference)


def floor_report(num_train=10000, seed=0, classifier=None):
    """The metrics of real data against real data: the best a generator can hope for.

    ``num_train`` training images, drawn without replacement with
    ``numpy.random.default_rng(seed)``, stand in for a perfect generator's samples; the
    reference is the full test set (10,000 images).  Returns a dict with the Frechet
    classifier distance between the two, and confidence / coverage on both.
    """
    from scratchgen.data import load_mnist
    model = classifier if classifier is not None else get_classifier()
    train_images, _ = load_mnist("train")
    test_images, test_labels = load_mnist("test")
    index = numpy.sort(numpy.random.default_rng(seed).choice(len(train_images), num_train, replace=False))
    train_report = classifier_report(train_images[index], model)
    test_report = classifier_report(test_images, model)
    return {
        "num_train": num_train, "seed": seed, "num_test": len(test_images),
        "fcd_train_vs_test": frechet_distance(train_report["features"], test_report["features"]),
        "test_accuracy": float((test_report["predictions"] == test_labels).mean()),
        "test": {key: test_report[key] for key in ("confidence", "class_shares", "classes_covered",
                                                   "class_entropy")},
        "train_sample": {key: train_report[key] for key in ("confidence", "class_shares",
                                                            "classes_covered", "class_entropy")},
    }


def image_quality(samples, reference):
    """The shipped MNIST classifier's view of generated images against real ones.

    samples, reference: (N, 1, H, W) in [0, 1], H = 28 or 32 (32 is cropped to the
    central 28 x 28, undoing the padding models train with).
    """
    def as_mnist(images):
        if images.shape[-1] == 32:
            images = images[..., 2:30, 2:30]
        return numpy.clip(images, 0.0, 1.0)

    samples, reference = as_mnist(samples), as_mnist(reference)
    classifier = get_classifier()
    report = classifier_report(samples, classifier)
    reference_features = classifier_report(reference, classifier)["features"]
    return {"frechet_distance": frechet_distance(report["features"], reference_features),
            "confidence": report["confidence"],
            "classes_covered": report["classes_covered"],
            "class_entropy": report["class_entropy"],
            "min_class_share": float(report["class_shares"].min()),
            "max_class_share": float(report["class_shares"].max()),
            "num_samples": int(len(samples))}
