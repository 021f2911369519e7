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
