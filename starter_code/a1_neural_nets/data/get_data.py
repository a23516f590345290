"""Download MNIST into this folder (course machines only; needs internet and torchvision).

    python data/get_data.py      (or: bash data/get_data.sh)

torchvision writes the IDX files to data/MNIST/raw/, where data_sources.py finds them.
The script then also writes data/mnist_train.csv and data/mnist_test.csv (label first,
then 784 pixel values in 0..255, no header), the layout earlier offerings of the course
used, replacing the embedded digits that main.py may have written there.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def main():
    import data_sources
    from torchvision.datasets import MNIST

    for train in (True, False):
        MNIST(root=HERE, train=train, download=True)
    data_sources.SOURCE = "mnist"
    for split in ("train", "test"):
        images, labels = data_sources._load_mnist_idx(split)
        pixels = (images * 255.0).round().astype("uint8")
        path = os.path.join(HERE, f"mnist_{split}.csv")
        with open(path, "w") as f:
            f.write(data_sources.csv_text(pixels, labels))
        print(f"wrote {path} ({len(labels)} images)")
    print(f"MNIST is in {os.path.join(HERE, 'MNIST', 'raw')} and as CSV beside this script")


if __name__ == "__main__":
    main()
