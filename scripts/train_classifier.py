"""Train the MNIST classifier that scratchgen.metrics uses to evaluate generative models.

    python scripts/train_classifier.py            # ~10 min on 2 CPU cores; writes the shipped weights
    python scripts/train_classifier.py --epochs 1 --train-images 2000 --out /tmp/clf.npz  # smoke run

Recipe: the LeNet-style CNN of scratchgen/models/classifier.py, Adam (lr 2e-3)
with a cosine decay to zero over all steps, batch 128, dropout 0.3 before the
last layer, and random shifts of up to 2 pixels as augmentation.  The model
trains on all 60,000 training images; the test set is only evaluated (the last
epoch's weights are shipped, there is no early stopping on the test set).

The weights are saved with ``autograd.save`` as float16 (half the size), together
with metadata: the test accuracy measured *after* the float16 round trip, the
float32 test accuracy, the command, seed, epochs and training time.
"""
import argparse
import os
import pathlib
import shlex
import sys
import time

import numpy

import autograd as torch
from autograd import nn
from scratchgen.data import load_mnist
from scratchgen.models.classifier import WEIGHTS_PATH, MNISTClassifier, predict_logits_and_features


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--max-shift", type=int, default=2, help="random translation, in pixels")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-images", type=int, default=None,
                        help="train on only the first N training images (smoke tests)")
    parser.add_argument("--out", default=str(WEIGHTS_PATH))
    return parser.parse_args()


def random_shift(images, max_shift, rng):
    """Translate each image by its own random (dy, dx) in [-max_shift, max_shift], filling with 0.

    images: float32 (N, 1, 28, 28).  Pad by max_shift, then crop a 28x28 window at a
    random offset, with one fancy-indexing gather for the whole batch.
    """
    if max_shift == 0:
        return images
    n, _, height, width = images.shape
    padded = numpy.pad(images[:, 0], ((0, 0), (max_shift, max_shift), (max_shift, max_shift)))
    dy = rng.integers(0, 2 * max_shift + 1, size=n)
    dx = rng.integers(0, 2 * max_shift + 1, size=n)
    rows = dy[:, None] + numpy.arange(height)          # (N, 28)
    cols = dx[:, None] + numpy.arange(width)           # (N, 28)
    shifted = padded[numpy.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]
    return shifted[:, None]


def accuracy(model, images, labels):
    model.eval()
    logits, _ = predict_logits_and_features(model, images)
    return float((logits.argmax(axis=1) == labels).mean())


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    rng = numpy.random.default_rng(args.seed)

    train_x, train_y = load_mnist("train")
    test_x, test_y = load_mnist("test")
    train_x = train_x[:args.train_images].astype(numpy.float32)[:, None] / 255.0
    train_y = train_y[:args.train_images].astype(numpy.int64)

    model = MNISTClassifier()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"MNISTClassifier: {n_params:,} parameters", flush=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = len(train_x) // args.batch_size          # drop the last partial batch
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()

    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = rng.permutation(len(train_x))
        total_loss, total_correct, seen = 0.0, 0, 0
        for step in range(steps_per_epoch):
            index = order[step * args.batch_size:(step + 1) * args.batch_size]
            images = torch.tensor(random_shift(train_x[index], args.max_shift, rng))
            labels = torch.tensor(train_y[index])
            logits = model(images)
            loss = loss_fn(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item() * len(index)
            total_correct += int((logits.array.argmax(axis=1) == train_y[index]).sum())
            seen += len(index)
        test_acc = accuracy(model, test_x, test_y)
        print(f"epoch {epoch:2d}/{args.epochs}  loss {total_loss / seen:.4f}  "
              f"train acc {total_correct / seen:.4f}  test acc {test_acc:.4f}  "
              f"lr {scheduler.get_last_lr()[0]:.2e}  {time.perf_counter() - start:.0f}s", flush=True)
    train_seconds = time.perf_counter() - start

    # Store float16 and measure the accuracy of exactly what is stored.
    float32_acc = accuracy(model, test_x, test_y)
    half_state = {name: torch.Tensor(value.array.astype(numpy.float16))
                  for name, value in model.state_dict().items()}
    reloaded = MNISTClassifier()
    reloaded.load_state_dict(half_state)
    shipped_acc = accuracy(reloaded, test_x, test_y)
    metadata = {
        "test_accuracy": shipped_acc,
        "test_accuracy_float32": float32_acc,
        "test_images": int(len(test_x)),
        "storage_dtype": "float16",
        "parameters": int(n_params),
        "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "max_shift": args.max_shift, "seed": args.seed,
        "train_seconds": round(train_seconds, 1),
        "command": "python " + " ".join(shlex.quote(a) for a in sys.argv),
        "autograd_version": torch.__version__,
    }
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": half_state, "metadata": metadata}, out)
    print(f"test accuracy {shipped_acc:.4f} (float16 weights; float32 {float32_acc:.4f}); "
          f"trained in {train_seconds / 60:.1f} min; wrote {out} ({os.path.getsize(out) / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
