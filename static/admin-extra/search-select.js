'use strict';
// Countries and currencies found by typing (Select2 over the options already on the page; see
// common/admin_widgets.py). The empty row template of an inline ("__prefix__") is set up when it is copied.
{
    const $ = django.jQuery;

    // An exact name, code or everyday name comes first ("United States" before "United States Minor Outlying
    // Islands", so Enter picks it); then options whose code or name begins with what was typed: "rub" finds RUB
    // before "Aruban Florin". The term is the one select2 matches with (kept by the matcher below): an input
    // listener of our own would run after select2's search and rank by the text before the last key.
    let typed = '';
    function beginsFirst(results) {
        if (!typed) { return results; }
        const rank = (item) => {
            const text = (item.text || '').toLowerCase();
            const name = text.includes(' — ') ? text.split(' — ')[1] : text;
            const exact = [text, name, String(item.id || '').toLowerCase(), ...(ALSO_CALLED[item.id] || [])];
            if (exact.includes(typed)) { return 0; }
            if (text.startsWith(typed)) { return 1; }
            return text.split(/[\s—()-]+/).some((w) => w.startsWith(typed)) ? 2 : 3;
        };
        return results.map((item, i) => [rank(item), i, item]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .map((entry) => entry[2]);
    }

    // Everyday names that are not in the standard lists: "usa", "britain", "rouble" find their country or currency.
    const ALSO_CALLED = {
        US: ['usa', 'america', 'united states', 'united states of america'], GB: ['uk', 'britain', 'great britain', 'england'],
        RU: ['russian federation'], KP: ['north korea', 'dprk'], KR: ['south korea'], IR: ['persia'],
        AE: ['uae', 'emirates'], CZ: ['czech republic'], TR: ['turkey'], NL: ['holland'], VA: ['vatican'],
        RUB: ['rouble', 'roubles', 'rubles'], BYN: ['belarusian rouble'], GBP: ['pound', 'sterling'],
        USD: ['dollar'], EUR: ['euro'], IRR: ['rial'], CNY: ['yuan', 'renminbi'],
    };
    function matchWithAliases(params, data) {
        const term = (params.term || '').trim().toLowerCase();
        typed = term;
        if (!term) { return data; }
        const text = (data.text || '').toLowerCase();
        const aliases = ALSO_CALLED[data.id] || [];
        return text.includes(term) || aliases.some((alias) => alias.startsWith(term)) ? data : null;
    }

    function searchSelect(elements) {
        $(elements).not('[name*=__prefix__]').each(function() {
            if (this.dataset.searchReady) { return; }
            this.dataset.searchReady = '1';
            $(this).select2({
                width: 'style',
                allowClear: !this.multiple && !this.required,
                placeholder: this.dataset.placeholder || '',
                sorter: beginsFirst,
                matcher: matchWithAliases,
            });
        });
    }

    $(function() { searchSelect($('select.search-select')); });
    document.addEventListener('formset:added', (event) => {
        searchSelect($(event.target).find('select.search-select'));
    });
}
