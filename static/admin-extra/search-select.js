'use strict';
// Countries and currencies found by typing (Select2 over the options already on the page; see
// common/admin_widgets.py). The empty row template of an inline ("__prefix__") is set up when it is copied.
{
    const $ = django.jQuery;

    function searchSelect(elements) {
        $(elements).not('[name*=__prefix__]').each(function() {
            if (this.dataset.searchReady) { return; }
            this.dataset.searchReady = '1';
            $(this).select2({
                width: 'style',
                allowClear: !this.multiple && !this.required,
                placeholder: this.dataset.placeholder || '',
            });
        });
    }

    $(function() { searchSelect($('select.search-select')); });
    document.addEventListener('formset:added', (event) => {
        searchSelect($(event.target).find('select.search-select'));
    });
}
