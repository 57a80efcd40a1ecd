"""Planted-PII test set for the finance PII filter, built by code from a seed.

Values are generated, not picked from a list the recognizers know: check digits are
computed with stdnum (IBAN mod 97, Luhn, national IDs), phone numbers are random numbers
that the phonenumbers metadata calls valid, names are drawn from a name list that the
recognizers never see. Negative cases are ordinary financial sentences (amounts, dates,
tickers, ISINs, company names) and near misses (bad checksums, invalid SSN ranges).
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
import stdnum.numdb
from stdnum import iban, luhn
from stdnum.br import cpf
from stdnum.ca import sin
from stdnum.es import dni
from stdnum.in_ import aadhaar
from stdnum.it import codicefiscale
from stdnum.us import rtn, ssn


@dataclass(frozen=True)
class Planted:
    entity: str
    value: str
    start: int
    end: int


@dataclass
class Case:
    text: str
    planted: list[Planted] = field(default_factory=list)
    template: str = ""


FIRST = """Jane John Maria José Aisha Wei Priya Olusegun Siobhan Zoë Søren Łukasz Hiroshi
Fatima Mateo Ingrid Kwame Ana Dmitri Chloé Rahul Mei Oluwaseun Astrid Tomás Leila Jean-Luc
Mary-Kate Nguyen Ahmed Elena Björn Camille Diego Yuki Amara Connor Renée Arjun Sofia Malik
Thandiwe Lars Esther Ravi Hannah Gareth June Rose""".split()
LAST = """Smith Okafor García Müller Nguyen O'Connor McAllister Raghavan Dubois Kowalski Tanaka
Al-Sayed Haddad Fernández Lindqvist Mensah Ivanova Chen Patel Novak Schröder Rossi Johansson
D'Souza Smith-Jones MacArthur Adeyemi Kim Bernard Walsh Yilmaz Costa Nakamura Oyelaran
Petrov Horvath Brennan Sánchez Weiß Ødegaard Park Mbeki Castellanos Rahman Whitfield""".split()
PARTICLE_NAMES = ["Ludwig van Beethoven", "Anna van der Berg", "Luis de la Vega",
                  "Maria da Silva", "Klaus von Trapp", "Giulia di Stefano"]
COMPANIES = """Acme Capital|Northwind Bank|Globex Holdings|Initech|Umbrella Securities|
Vandelay Industries|Stark Financial|Wayne Enterprises|Hooli|Cyberdyne Systems|Soylent Corp|
Blue Harbor Partners""".replace("\n", "").split("|")
TICKERS = ["AAPL", "MSFT", "JPM", "GS", "HSBA", "BNP", "SAP", "NVDA", "BRK.B", "TSLA", "ING"]


class Gen:
    """Random values, each kind in several of its real-world spellings."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def digits(self, n: int, first: str = string.digits) -> str:
        return self.r.choice(first) + "".join(self.r.choices(string.digits, k=n - 1))

    def pick(self, seq):  # noqa: ANN001, ANN201
        return self.r.choice(seq)

    # --- people and contact details
    def name(self) -> str:
        r = self.r.random()
        if r < 0.08:
            return self.pick(PARTICLE_NAMES)
        if r < 0.2:
            return f"{self.pick(FIRST)} {self.pick(string.ascii_uppercase)}. {self.pick(LAST)}"
        if r < 0.27:
            return f"{self.pick(FIRST)} {self.pick(FIRST)} {self.pick(LAST)}"
        return f"{self.pick(FIRST)} {self.pick(LAST)}"

    def email(self) -> str:
        f = re.sub(r"[^a-z]", "", self.pick(FIRST).lower().encode("ascii", "ignore").decode())
        la = re.sub(r"[^a-z]", "", self.pick(LAST).lower().encode("ascii", "ignore").decode())
        local = self.pick([f"{f}.{la}", f"{f[0]}{la}", f"{f}_{la}{self.r.randint(1, 99)}",
                           f"{f}+invoices", f"{la}.{f[0]}", f"{f}-{la}",
                           f"{f}{self.r.randint(70, 99)}", f"{f[0].upper()}.{la.capitalize()}"])
        domain = self.pick(["gmail.com", "outlook.com", "acme-bank.co.uk", "mail.globex.io",
                            "northwind.de", "stark-financial.com", "hooli.finance",
                            "corp.initech.com.au", "yahoo.fr", "vandelay.bank", "proton.me"])
        address = f"{local}@{domain}"
        return address.upper() if self.r.random() < 0.05 else address

    def phone(self) -> str:
        r = self.r.random()
        if r < 0.55:
            while True:
                area = self.pick(["212", "415", "646", "312", "617", "305", "713", "202",
                                  "704", "917", "303", "206", "404", "512"])
                exch, line = self.digits(3, "23456789"), self.digits(4)
                if phonenumbers.is_valid_number(phonenumbers.parse(area + exch + line, "US")):
                    break
            return self.pick([f"({area}) {exch}-{line}", f"{area}-{exch}-{line}",
                              f"{area}.{exch}.{line}", f"+1 {area} {exch} {line}",
                              f"+1-{area}-{exch}-{line}", f"1-{area}-{exch}-{line}",
                              f"+1 ({area}) {exch}-{line}", f"{area} {exch} {line}"])
        region = "GB" if r < 0.7 else self.pick(["DE", "FR", "IN", "AU", "JP", "SG", "CH",
                                                 "ES", "IT", "BR", "NL", "IE", "ZA", "HK"])
        kind = self.pick([phonenumbers.PhoneNumberType.FIXED_LINE,
                          phonenumbers.PhoneNumberType.MOBILE])
        example = phonenumbers.example_number_for_type(region, kind)
        base = phonenumbers.national_significant_number(example)
        while True:
            num = phonenumbers.parse(base[:-4] + self.digits(4), region)
            if phonenumbers.is_valid_number(num):
                break
        fmt = [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]
        if region == "GB":
            fmt.append(phonenumbers.PhoneNumberFormat.NATIONAL)
        text = phonenumbers.format_number(num, self.pick(fmt))
        if self.r.random() < 0.15 and text.startswith("+44 "):
            text = text.replace("+44 ", "+44 (0)", 1)  # a common British spelling
        return text

    def phone_us_digits(self) -> str:
        while True:
            d = self.pick(["212", "415", "646"]) + self.digits(3, "23456789") + self.digits(4)
            if phonenumbers.is_valid_number(phonenumbers.parse(d, "US")):
                return d

    # --- money
    def card(self) -> str:
        prefix, n = self.pick([("4", 16), ("4", 16), ("4", 13), ("51", 16), ("55", 16),
                               ("2221", 16), ("2720", 16), ("2300", 16), ("34", 15), ("37", 15),
                               ("6011", 16), ("65", 16), ("3530", 16), ("36", 14), ("62", 19),
                               ("4", 19)])
        body = prefix + self.digits(n - len(prefix) - 1)
        d = body + luhn.calc_check_digit(body)
        cuts = {15: [0, 4, 10, 15], 14: [0, 4, 10, 14], 13: [0, 4, 8, 13],
                19: [0, 4, 8, 12, 16, 19]}.get(n, [0, 4, 8, 12, 16])
        parts = [d[a:b] for a, b in zip(cuts, cuts[1:])]
        return self.pick([d, " ".join(parts), "-".join(parts), " ".join(parts)])

    def iban(self) -> str:
        db = stdnum.numdb.get("iban")
        cc = self.pick(["DE", "GB", "FR", "ES", "IT", "NL", "CH", "BE", "AT", "PL", "SE", "IE",
                        "PT", "NO", "SA", "AE", "LU", "DK", "FI", "GR"])
        spec = db.info(cc + "00")[0][1]["bban"]
        for _ in range(5000):
            bban = ""
            for count, kind in re.findall(r"(\d+)!([nac])", spec):
                alphabet = {"n": string.digits, "a": string.ascii_uppercase,
                            "c": string.digits + string.ascii_uppercase}[kind]
                bban += "".join(self.r.choices(alphabet, k=int(count)))
            number = cc + iban.calc_check_digits(cc + "00" + bban) + bban
            if iban.is_valid(number):
                break
        else:  # pragma: no cover - national check digits never matched
            raise RuntimeError(f"no valid IBAN generated for {cc}")
        return number if self.r.random() < 0.35 else iban.format(number)

    def account(self) -> str:
        d = self.digits(self.r.randint(8, 14))
        return self.pick([d, d, f"{d[:4]}-{d[4:]}", f"{d[:2]}-{d[2:-1]}-{d[-1]}", "00" + d[2:]])

    def aba(self) -> str:
        body = self.pick(["0", "1", "2", "3", "6", "7"]) + self.digits(7)
        d = body + rtn.calc_check_digit(body)
        return d if self.r.random() < 0.8 else f"{d[:4]}-{d[4:8]}-{d[8]}"

    def sort_code(self) -> str:
        return "-".join(self.digits(2) for _ in range(3))

    # --- national IDs
    def ssn(self, sep: str | None = None) -> str:
        d = "000000000"
        while not ssn.is_valid(d):
            d = f"{self.r.randint(1, 899):03d}{self.r.randint(1, 99):02d}{self.digits(4)}"
        sep = self.pick(["-", "-", "-", " "]) if sep is None else sep
        return f"{d[:3]}{sep}{d[3:5]}{sep}{d[5:]}"

    def nino(self) -> str:
        pre = self.pick("ABCEGHJKLMNPRSTWXYZ") + self.pick("ABCEGHJKLMNPRSTWXYZ")
        pre = "AB" if pre in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"} else pre
        d, suffix = self.digits(6), self.pick("ABCD")
        return self.pick([f"{pre}{d}{suffix}", f"{pre} {d[:2]} {d[2:4]} {d[4:]} {suffix}"])

    def dni(self) -> str:
        d = self.digits(8)
        return d + dni.calc_check_digit(d)

    def codice_fiscale(self) -> str:
        day = self.r.randint(1, 28) + self.pick([0, 40])  # women: day + 40
        body = ("".join(self.r.choices(string.ascii_uppercase, k=6)) + self.digits(2)
                + self.pick("ABCDEHLMPRST") + f"{day:02d}" + self.pick("ABCDEFGHILMZ")
                + self.digits(3))
        number = body + codicefiscale.calc_check_digit(body)
        assert codicefiscale.is_valid(number), number
        return number

    def cpf(self) -> str:
        while True:
            d = self.digits(9)
            number = d + cpf._calc_check_digits(d)
            if cpf.is_valid(number):
                return cpf.format(number)

    def sin(self) -> str:
        body = self.pick("1234567") + self.digits(7)
        number = body + luhn.calc_check_digit(body)
        assert sin.is_valid(number)
        return f"{number[:3]} {number[3:6]} {number[6:]}"

    def aadhaar(self) -> str:
        from stdnum import verhoeff

        while True:
            body = self.digits(11, "23456789")
            number = body + verhoeff.calc_check_digit(body)
            if aadhaar.is_valid(number):
                return f"{number[:4]} {number[4:8]} {number[8:]}"

    # --- non-PII filler
    def amount(self) -> str:
        n = self.r.randint
        return self.pick([f"${n(1, 999):,}.{n(0, 99):02d}", f"${n(1000, 9_999_999):,}",
                          f"EUR {n(1, 999)}.{n(1, 9)} million", f"£{n(10, 900)}m",
                          f"${n(1, 99)}.{n(1, 9)}bn", f"USD {n(10_000, 99_999_999):,}"])

    def date(self) -> str:
        y, m, d = self.r.randint(2015, 2026), self.r.randint(1, 12), self.r.randint(1, 28)
        month = ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"][m - 1]
        return self.pick([f"{y}-{m:02d}-{d:02d}", f"{m:02d}/{d:02d}/{y}", f"{d}.{m}.{y}",
                          f"{month} {d}, {y}", f"{d} {month} {y}", f"{d:02d}/{m:02d}/{y}"])

    def pct(self) -> str:
        return self.pick([f"{self.r.randint(1, 40)}.{self.r.randint(0, 9)}%",
                          f"{self.r.randint(1, 99)}%", f"{self.r.randint(5, 400)} bps"])

    def year(self) -> str:
        return str(self.r.randint(2008, 2026))

    def quarter(self) -> str:
        return self.pick([f"Q{self.r.randint(1, 4)} {self.year()}", f"FY{self.year()}",
                          f"the {self.pick(['first', 'second', 'third', 'fourth'])} quarter"])

    def count(self) -> str:
        return f"{self.r.randint(1000, 999_999_999):,}"

    def isin(self) -> str:
        return self.pick(["US0378331005", "US5949181045", "GB0002634946", "DE0007164600",
                          "FR0000131104", "US46625H1005", "NL0011794037"])

    def cusip(self) -> str:
        return self.pick(["037833100", "594918104", "46625H100", "38141G104", "931142103"])

    def bad_card(self) -> str:
        body = (self.pick(["4", "51", "6011"]) + self.digits(14))[:15]
        bad = body + str((int(luhn.calc_check_digit(body)) + self.r.randint(1, 9)) % 10)
        return " ".join(bad[i:i + 4] for i in range(0, 16, 4))

    def bad_iban(self) -> str:
        good = iban.compact(self.iban())
        wrong = f"{(int(good[2:4]) + self.r.randint(1, 90)) % 97 + 2:02d}"
        return iban.format(good[:2] + wrong + good[4:])

    def bad_aba(self) -> str:
        body = self.digits(8, "0123678")
        return body + str((int(rtn.calc_check_digit(body)) + self.r.randint(1, 9)) % 10)

    def bad_ssn(self) -> str:
        return self.pick([f"000-{self.r.randint(10, 99)}-{self.r.randint(1000, 9999)}",
                          f"666-{self.r.randint(10, 99)}-{self.r.randint(1000, 9999)}",
                          f"{self.r.randint(100, 665)}-00-{self.r.randint(1000, 9999)}",
                          f"{self.r.randint(100, 665)}-{self.r.randint(10, 99)}-0000"])



# placeholder -> (entity or None for non-PII filler, generator method)
SLOTS: dict[str, tuple[str | None, Callable[[Gen], str]]] = {
    "EMAIL": ("EMAIL", Gen.email), "PHONE": ("PHONE", Gen.phone),
    "BAREPHONE": ("PHONE", Gen.phone_us_digits), "CARD": ("CARD", Gen.card),
    "IBAN": ("IBAN", Gen.iban), "ACCT": ("ACCOUNT", Gen.account), "ABA": ("ROUTING", Gen.aba),
    "SORT": ("ROUTING", Gen.sort_code), "SSN": ("NATIONAL_ID", Gen.ssn),
    "BARESSN": ("NATIONAL_ID", lambda g: g.ssn("")), "NINO": ("NATIONAL_ID", Gen.nino),
    "DNI": ("NATIONAL_ID", Gen.dni), "CF": ("NATIONAL_ID", Gen.codice_fiscale),
    "CPF": ("NATIONAL_ID", Gen.cpf), "SIN": ("NATIONAL_ID", Gen.sin),
    "AADHAAR": ("NATIONAL_ID", Gen.aadhaar), "NAME": ("PERSON", Gen.name),
    "FIRST": ("PERSON", lambda g: g.pick(FIRST)), "SURNAME": ("PERSON", lambda g: g.pick(LAST)),
    "NAMEUPPER": ("PERSON", lambda g: g.name().upper()),
    "AMOUNT": (None, Gen.amount), "DATE": (None, Gen.date), "PCT": (None, Gen.pct),
    "YEAR": (None, Gen.year), "QUARTER": (None, Gen.quarter), "COUNT": (None, Gen.count),
    "ISIN": (None, Gen.isin), "CUSIP": (None, Gen.cusip), "BADCARD": (None, Gen.bad_card),
    "BADIBAN": (None, Gen.bad_iban), "BADSSN": (None, Gen.bad_ssn), "BADABA": (None, Gen.bad_aba),
    "COMPANY": (None, lambda g: g.pick(COMPANIES)), "TICKER": (None, lambda g: g.pick(TICKERS)),
}


def fill(template: str, gen: Gen) -> Case:
    """Replace each {SLOT} with a fresh value and remember where the PII went."""
    case = Case("", template=template)
    for i, part in enumerate(re.split(r"\{([A-Z]+)\}", template)):
        if i % 2 == 0:
            case.text += part
            continue
        entity, make = SLOTS[part]
        value = make(gen)
        if entity:
            case.planted.append(Planted(entity, value, len(case.text), len(case.text) + len(value)))
        case.text += value
    return case


POSITIVE = [
    # emails
    "Please send the signed term sheet to {EMAIL} by {DATE}.", "Contact: {EMAIL}",
    "For questions about the {AMOUNT} invoice, email {EMAIL} or {EMAIL}.",
    "Her new address is {EMAIL}; the old one bounced.", "Reply-To: <{EMAIL}>",
    "The statement (sent to {EMAIL}) showed a balance of {AMOUNT}.",
    "{EMAIL} asked whether the {QUARTER} dividend was paid.", "mailto:{EMAIL}?subject=KYC",
    "Contact {EMAIL}.", 'The form listed "{EMAIL}" as the billing contact.',
    # cards
    "Charge the {AMOUNT} fee to card {CARD}.", "Card number: {CARD}, exp 09/27.",
    "The customer paid with {CARD} on {DATE}.", "Refund {AMOUNT} to {CARD} within 5 business days.",
    "pan={CARD} status=declined", "{CARD} was flagged after {COUNT} attempts.",
    "Visa {CARD} / Mastercard {CARD}", "Cards on file: {CARD}, {CARD}.", "Card no.:{CARD}",
    # IBANs
    "Please remit {AMOUNT} to IBAN {IBAN} ({COMPANY}).", "IBAN: {IBAN}",
    "Beneficiary account {IBAN}, BIC DEUTDEFF.", "Wire to {IBAN} before {DATE}.",
    "The refund went to {IBAN} and cleared on {DATE}.", "iban={IBAN};amount={AMOUNT}",
    "Send the {AMOUNT} balance to {IBAN}.",
    # phones
    "Call me at {PHONE} after 5pm.", "Tel: {PHONE}",
    "You can reach the trading desk on {PHONE} or {PHONE}.", "{PHONE} (direct line)",
    "Mobile {PHONE}, office hours 9-5.", "If the payment fails, the bank will ring {PHONE}.",
    "Please call {BAREPHONE} to confirm the wire.", "phone: {BAREPHONE}",
    "Questions? Ring our client line ({PHONE}) any weekday.",
    # account and routing numbers
    "Account number: {ACCT}", "Acct# {ACCT} is overdrawn by {AMOUNT}.", "A/C No. {ACCT}",
    "Funds were credited to account {ACCT} on {DATE}.",
    "Please debit my checking account {ACCT} for {AMOUNT}.", "Savings acct {ACCT} earns {PCT}.",
    "bank account number is {ACCT}", "Account {ACCT}, routing number {ABA}",
    "ABA routing number: {ABA}", "RTN {ABA} / account no. {ACCT}",
    "Sort code {SORT}, account number {ACCT}", "Account #: {ACCT}",
    "Deposit to acct. no. {ACCT} by {DATE}.",
    # national IDs
    "SSN: {SSN}", "The applicant's social security number is {SSN}.",
    "Borrower SSN {BARESSN} was verified on {DATE}.", "{SSN} (SSN) appears on the W-9.",
    "Tax ID (SSN): {SSN}; income {AMOUNT}.", "National Insurance number {NINO}",
    "NI number: {NINO}", "DNI {DNI} del titular.", "Spanish ID {DNI} was scanned.",
    "Codice fiscale {CF}", "Client tax code {CF} on file.", "CPF {CPF}",
    "O cliente (CPF {CPF}) abriu uma conta.", "SIN: {SIN}", "Social insurance number {SIN}",
    "Aadhaar {AADHAAR} linked to the account.", "ss# {SSN}",
    # person names
    "Mr. {SURNAME} approved the transfer.", "Ms. {NAME} signed the loan agreement on {DATE}.",
    "Dr. {NAME} joined the board in {YEAR}.", "Prof. {NAME} chairs the audit committee.",
    "Mrs {NAME} called about the {AMOUNT} charge.", "CEO {NAME} said revenue rose {PCT}.",
    "{NAME}, chief financial officer of {COMPANY}, said margins would improve.",
    "{NAME} said the bank would cut {COUNT} jobs.",
    "“We expect rates to fall,” said {NAME}, a portfolio manager at {COMPANY}.",
    "Best regards,\n{NAME}\n{COMPANY}", "Thanks,\n{FIRST}", "Sincerely,\n{NAME}",
    "Dear {NAME},\nyour statement for {QUARTER} is ready.",
    "Dear {FIRST}, please find attached the {QUARTER} report.", "Name: {NAME}",
    "Account holder: {NAME}", "Beneficiary: {NAME}", "From: {NAME} <{EMAIL}>",
    "The report was prepared by {NAME} on {DATE}.",
    "According to {NAME}, head of research at {COMPANY}, {TICKER} is overvalued.",
    "Analyst {NAME} of {COMPANY} downgraded {TICKER} to sell.",
    "{NAME} (CFO) presented the {QUARTER} results.",
    "Chairman {NAME} told shareholders that {QUARTER} was difficult.",
    "The cheque is payable to {NAME}.", "Transfer {AMOUNT} from {NAME}'s account to savings.",
    "Attn: {NAME}, Treasury Operations", "cc: {NAME}",
    "Hi {FIRST}, the wire went out this morning.", "Kind regards\n{NAME}", "— {NAME}",
    "Dr {NAME} disputed the {AMOUNT} fee.", "Mrs. {SURNAME} asked for a new card.",
    "{NAME}, the company's chief executive, said demand was strong.",
    "Portfolio manager {NAME} bought {COUNT} shares of {TICKER}.",
    "{NAME} told Reuters the bid was too low.", "ACCOUNT HOLDER: {NAMEUPPER}",
    # several at once
    "Customer {NAME} (SSN {SSN}, phone {PHONE}) reported card {CARD} stolen.",
    "KYC: {NAME}, {EMAIL}, IBAN {IBAN}",
    "Wire {AMOUNT} from account {ACCT} to {IBAN}; questions to {EMAIL}.",
    "Regards,\n{NAME}\nTel: {PHONE}\n{EMAIL}",
]

NEGATIVE = [
    "Revenue rose {PCT} to {AMOUNT} in {QUARTER}, beating the consensus of {AMOUNT}.",
    "Net income for fiscal {YEAR} was {AMOUNT}, or $3.21 per diluted share.",
    "The board declared a quarterly dividend of $0.25 per share payable on {DATE}.",
    "{COMPANY} ({TICKER}) shares fell {PCT} on {DATE}.",
    "As of {DATE}, {COUNT} shares of common stock were outstanding.",
    "The 10-year Treasury yield rose 12 basis points to {PCT}.",
    "Operating margin expanded to {PCT} from {PCT} a year earlier.",
    "See Note 12 in our Form 10-K for fiscal {YEAR}.",
    "The facility matures on {DATE} and bears interest at SOFR plus {PCT}.",
    "ISIN {ISIN}, CUSIP {CUSIP}, ticker {TICKER}.",
    "Card number {BADCARD} was rejected because it failed validation.",
    "The IBAN {BADIBAN} failed the checksum.", "SSN {BADSSN} is not a valid number.",
    "Order PO-{YEAR}-00123 shipped on {DATE}.",
    "The call option has a strike of $145.50 and expires {DATE}.",
    "Dear Shareholders,\n{YEAR} was a year of change.",
    "Dear Valued Customer, your statement is ready.",
    "The Federal Reserve said it would keep rates at {PCT}.",
    "Goldman Sachs said {TICKER} could rise {PCT}.",
    "JPMorgan Chase reported {QUARTER} earnings of {AMOUNT}.",
    "Chief Executive Officer compensation rose {PCT} in {YEAR}.",
    "The Audit Committee met 9 times during {YEAR}.",
    "Trading volume on the New York Stock Exchange hit {COUNT} shares.",
    "Accounts receivable increased by {AMOUNT} to {AMOUNT}.",
    "The account balance was {AMOUNT} at {DATE}.",
    "Customers opened {COUNT} new accounts in {QUARTER}.",
    "Dial-in for the {QUARTER} call: conference ID 8812 7731.",
    "Version 4.2.1 of the API supports ISO 20022 messages.",
    "Rule 10b5-1 trading plans are disclosed under Section 16.",
    "EBITDA of {AMOUNT} ({PCT} margin) in {QUARTER}.",
    "The loan-to-value ratio was {PCT} and DSCR 1.45x.",
    "Headquarters: 1 Market Street, San Francisco, CA 94105.",
    "Regards,\nThe Investor Relations Team", "Best regards,\n{COMPANY}",
    "Between 2019-2024 the fund returned {PCT} a year.",
    "Total assets were {AMOUNT} versus {AMOUNT} on {DATE}.",
    "Morgan Stanley said the deal was worth {AMOUNT}.",
    "Wells Fargo & Co said it expects charges of {AMOUNT}.",
    "The S&P 500 closed at 5,321.41 on {DATE}.",
    "Basel III CET1 ratio: {PCT}; leverage ratio {PCT}.",
    "Invoice INV-{YEAR}-004417 is due on {DATE}.",
    "We repurchased {COUNT} shares for {AMOUNT} in {QUARTER}.",
    "Account Services will close at 17:30 on {DATE}.",
    "The Chief Risk Officer reports to the Board Risk Committee.",
    "Keurig Dr Pepper shares rose {PCT} after {QUARTER} results.",
    "Sincerely,\nThe Board of Directors", "Thanks,\nAccounts Payable",
    "ABA {BADABA} was rejected by the clearing house.",
    "As of 20240331 the fund held {COUNT} positions.",
    "Markets open at 09:30:00 ET; SWIFT DEUTDEFF500; LEI 5493001KJTIIGC8Y1R12.",
    "Fiscal 2023-2024 guidance is on pages 120-135.",
    "Mail to New York, NY 10001-1234 (Nasdaq: {TICKER}).",
]


def build_cases(seed: int = 20240531, per_positive: int = 7, per_negative: int = 4
                ) -> tuple[list[Case], list[Case]]:
    """(positive cases, negative cases); every template is filled several times."""
    gen = Gen(seed)
    positives = [fill(t, gen) for t in POSITIVE for _ in range(per_positive)]
    negatives = [fill(t, gen) for t in NEGATIVE for _ in range(per_negative)]
    return positives, negatives
