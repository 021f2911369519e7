# English: the default locale. Every other locale falls back here.
-brand = Crocodile

page-title = { -brand } i18n demo
lang-name = English
language = Language
greeting = Hello! Your address is { $ip }.
visits = { $count ->
    [one] This page has been viewed once.
   *[other] This page has been viewed { $count } times.
}
source = Chosen by: { $source }

# NUMBER() (with the `icu` feature): grouping, separators and digits as
# each locale writes them; the page passes 1234567.891 and 0.256.
numbers = Numbers as written here: { NUMBER($sample, maximumFractionDigits: 2) } and { NUMBER($ratio, style: "percent", maximumFractionDigits: 1) }.
