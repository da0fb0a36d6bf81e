// Models pages, optional: without script the forms post as usual.
// - the canary weight slider shows its number while it moves;
// - an upload form sends its file with XMLHttpRequest to show the upload's progress in its
//   <progress> element, then shows the page the console answers in place (the model page
//   with the new version, whose state then follows by itself, or the form with the
//   refusal next to its field).
(function () {
  'use strict';
  var slider = document.getElementById('canary-weight');
  var shown = document.getElementById('canary-weight-value');
  if (slider && shown) {
    var update = function () {
      shown.textContent = slider.value + ' %';
    };
    slider.addEventListener('input', update);
    update();
  }
  document.querySelectorAll('form[data-upload-progress]').forEach(function (form) {
    var box = form.querySelector('.upload-progress');
    var bar = form.querySelector('progress');
    var text = form.querySelector('.upload-progress-text');
    if (!box || !bar || !window.XMLHttpRequest || !window.FormData) {
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type=submit]');
      var xhr = new XMLHttpRequest();
      box.hidden = false;
      bar.value = 0;
      if (button) {
        button.disabled = true;
      }
      xhr.upload.addEventListener('progress', function (progress) {
        if (progress.lengthComputable) {
          var percent = Math.floor(progress.loaded * 100 / progress.total);
          bar.value = percent;
          bar.textContent = percent + ' %';
          text.textContent = percent < 100 ? percent + ' % sent'
            : 'Sent; a worker is checking the model…';
        }
      });
      xhr.addEventListener('load', function () {
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL
            && xhr.responseURL.indexOf(window.location.origin + '/') === 0 && window.history) {
          window.history.pushState(null, '', xhr.responseURL);
        }
        var page = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        var main = page.getElementById('main');
        var current = document.getElementById('main');
        if (main && current) {
          current.replaceChildren.apply(current, Array.prototype.slice.call(main.childNodes));
          if (window.htmx) {
            window.htmx.process(current);
          }
          var error = current.querySelector('.field-error, .alert.error');
          if (error) {
            error.scrollIntoView();
          }
        }
        else {
          text.textContent = 'The upload failed (' + xhr.status + ').';
          if (button) {
            button.disabled = false;
          }
        }
      });
      xhr.addEventListener('error', function () {
        text.textContent = 'The upload could not be sent: the console is unreachable.';
        if (button) {
          button.disabled = false;
        }
      });
      xhr.open('POST', form.action);
      xhr.send(new FormData(form));
    });
  });
}());
