'use strict';
// Countries and currencies found by typing (Select2 over the options already on the page; see
// common/admin_widgets.py). The empty row template of an inline ("__prefix__") is set up when it is copied.
{
    const $ = django.jQuery;

    // Options whose code or name begins with what was typed come first: "rub" finds RUB before "Aruban Florin".
    let typed = '';
    $(document).on('input', '.select2-search__field', function() { typed = this.value.trim().toLowerCase(); });
    function beginsFirst(results) {
        if (!typed) { return results; }
        const rank = (item) => {
            const text = (item.text || '').toLowerCase();
            if (text.startsWith(typed)) { return 0; }
            return text.split(/[\s—()-]+/).some((w) => w.startsWith(typed)) ? 1 : 2;
        };
        return results.map((item, i) => [rank(item), i, item]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
            .map((entry) => entry[2]);
    }

    // Everyday names that are not in the standard lists: "usa", "britain", "rouble" find their country or currency.
    const ALSO_CALLED = {
        US: ['usa', 'america', 'united states of america'], GB: ['uk', 'britain', 'great britain', 'england'],
        RU: ['russian federation'], KP: ['north korea', 'dprk'], KR: ['south korea'], IR: ['persia'],
        AE: ['uae', 'emirates'], CZ: ['czech republic'], TR: ['turkey'], NL: ['holland'], VA: ['vatican'],
        RUB: ['rouble', 'roubles', 'rubles'], BYN: ['belarusian rouble'], GBP: ['pound', 'sterling'],
        USD: ['dollar'], EUR: ['euro'], IRR: ['rial'], CNY: ['yuan', 'renminbi'],
    };
    function matchWithAliases(params, data) {
        const term = (params.term || '').trim().toLowerCase();
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
