"""Download MNIST into this folder (course machines only; needs internet and torchvision).

    python data/get_data.py      (or: bash data/get_data.sh)

torchvision writes the IDX files to data/MNIST/raw/, where data_sources.py finds them.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    from torchvision.datasets import MNIST

    for train in (True, False):
        MNIST(root=HERE, train=train, download=True)
    print(f"MNIST is in {os.path.join(HERE, 'MNIST', 'raw')}")


if __name__ == "__main__":
    main()
