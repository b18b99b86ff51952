"""Certificate numbers: random enough not to be guessed, easy to read out, typos caught before
any look-up."""
from __future__ import annotations

import random
import re

from certificates_service import numbers

FORMAT = re.compile(r"^AR-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def test_generated_numbers_are_formatted_and_carry_no_confusable_letters():
    for _ in range(2000):
        number = numbers.generate()
        assert FORMAT.match(number), number
        assert not set(number[3:]) & set("ILOU*~$=")
        assert numbers.normalise(number) == number


def test_at_least_64_random_bits():
    assert numbers.RANDOM_BITS >= 64
    # All drawn numbers differ, and the random source is asked for the full width.
    asked = []

    def spy(bits):
        asked.append(bits)
        return random.getrandbits(bits)

    drawn = {numbers.generate(spy) for _ in range(5000)}
    assert len(drawn) == 5000 and set(asked) == {numbers.RANDOM_BITS}


def test_draws_again_when_the_check_would_be_an_awkward_symbol():
    values = iter([32, 37 * 5 + 3])  # 32 % 37 == 32 → '*': drawn again
    number = numbers.generate(lambda _bits: next(values))
    assert number.endswith("3") and numbers.normalise(number) == number


def test_input_is_normalised_like_people_type_it():
    number = numbers.generate()
    compact = number.replace("-", "")
    assert numbers.normalise(compact.lower()) == number
    assert numbers.normalise(compact[2:]) == number  # without the prefix
    assert numbers.normalise(f"  {number.lower()}  ") == number
    spaced = " ".join(number[3:].split("-"))
    assert numbers.normalise(spaced) == number


def test_lookalike_letters_are_read_as_digits():
    data = "10101010101010"
    number = numbers.format_symbols(data + numbers.check_symbol(numbers._decode(data)))
    assert numbers.normalise(number.replace("1", "l").replace("0", "O")) == number
    assert numbers.normalise(number.replace("1", "I").replace("0", "o")) == number


def test_every_single_wrong_symbol_and_neighbour_swap_is_caught():
    number = numbers.generate()
    symbols = number.replace("-", "")[2:]
    for position in range(numbers.SYMBOLS):
        for replacement in numbers.ALPHABET:
            if replacement == symbols[position]:
                continue
            typo = symbols[:position] + replacement + symbols[position + 1:]
            assert numbers.normalise(typo) is None, typo
    for position in range(numbers.DATA_SYMBOLS - 1):
        a, b = symbols[position], symbols[position + 1]
        if a != b:
            swapped = symbols[:position] + b + a + symbols[position + 2:]
            assert numbers.normalise(swapped) is None, swapped


def test_malformed_input_is_rejected():
    number = numbers.generate()
    for text in ("", "AR", number[:-1], number + "7", "AR-UUUUU-UUUUU-UUUUU", "ÄR-12345-12345-12345",
                 None, 12345, "x" * 1000, number.replace("-", "/")):
        assert numbers.normalise(text) is None, text
