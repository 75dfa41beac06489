// The console's entry: Vue, the router, and the Element Plus components the
// screens use, registered by name so templates stay short. Each is imported
// from its own module: the package index keeps every component alive (its
// top level reads installer.install), which would triple the bundle.
import { createApp } from 'vue';
import { ElAlert } from 'element-plus/es/components/alert/index.mjs';
import { ElButton } from 'element-plus/es/components/button/index.mjs';
import { ElCheckbox } from 'element-plus/es/components/checkbox/index.mjs';
import { ElDatePicker } from 'element-plus/es/components/date-picker/index.mjs';
import { ElDescriptions, ElDescriptionsItem } from 'element-plus/es/components/descriptions/index.mjs';
import { ElDialog } from 'element-plus/es/components/dialog/index.mjs';
import { ElForm, ElFormItem } from 'element-plus/es/components/form/index.mjs';
import { ElInput } from 'element-plus/es/components/input/index.mjs';
import { ElInputNumber } from 'element-plus/es/components/input-number/index.mjs';
import { ElPopconfirm } from 'element-plus/es/components/popconfirm/index.mjs';
import { ElRadio, ElRadioButton, ElRadioGroup } from 'element-plus/es/components/radio/index.mjs';
import { ElOption, ElSelect } from 'element-plus/es/components/select/index.mjs';
import { ElSkeleton } from 'element-plus/es/components/skeleton/index.mjs';
import { ElTable, ElTableColumn } from 'element-plus/es/components/table/index.mjs';
import { ElTabPane, ElTabs } from 'element-plus/es/components/tabs/index.mjs';
import { ElTag } from 'element-plus/es/components/tag/index.mjs';
import { ElLoading } from 'element-plus/es/components/loading/index.mjs';
import 'element-plus/dist/index.css';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import App from './App.vue';
import { router } from './router';

const app = createApp(App);
for (const c of [ElAlert, ElButton, ElCheckbox, ElDatePicker, ElDescriptions, ElDescriptionsItem, ElDialog, ElForm, ElFormItem, ElInput, ElInputNumber, ElOption, ElSelect, ElPopconfirm, ElRadio, ElRadioButton, ElRadioGroup, ElSkeleton, ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag]) {
  app.use(c);
}
app.use(ElLoading);
app.use(router);
app.mount('#app');
